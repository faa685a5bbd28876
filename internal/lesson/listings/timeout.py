import asyncio
from uuid import uuid4


async def start_job(job_id, delay):
    await asyncio.sleep(delay)
    return job_id


async def main():
    try:
        await asyncio.wait_for(start_job(uuid4().hex, 3600), timeout=0.05)
    except TimeoutError:  # the job was cancelled at the deadline
        print("timed out")

    job_id = await asyncio.wait_for(start_job(uuid4().hex, 0.001), timeout=0.05)
    print("started", job_id)


asyncio.run(main())
