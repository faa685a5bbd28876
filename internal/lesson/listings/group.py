import asyncio
from uuid import uuid4

DELAYS = [0.001, 0.01, 0.2, 0.2, 0.2, 0.2]


async def start_job(job_id, delay):
    await asyncio.sleep(delay)
    if delay == 0.01:  # the second job fails early
        raise RuntimeError("refused")
    return job_id


async def main():
    try:
        async with asyncio.TaskGroup() as tg:  # the failure cancels the others
            tasks = [tg.create_task(start_job(uuid4().hex, d)) for d in DELAYS]
    except* RuntimeError as group:
        print("failed:", group.exceptions)
    print([task.cancelled() for task in tasks])

    tasks = [asyncio.create_task(start_job(uuid4().hex, d)) for d in DELAYS]
    await asyncio.gather(*tasks, return_exceptions=True)  # the others run on
    print([task.cancelled() for task in tasks])


asyncio.run(main())
