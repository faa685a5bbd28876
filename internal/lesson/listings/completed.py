import asyncio
from uuid import uuid4


async def start_job(job_id, delay):
    await asyncio.sleep(delay)
    return job_id, delay  # a record: the id, and the delay


async def main():
    jobs = [start_job(uuid4().hex, delay) for delay in (0.03, 0.01, 0.02)]
    for next_done in asyncio.as_completed(jobs):
        record = await next_done
        print("started after", record[1])


asyncio.run(main())
