import asyncio
from uuid import uuid4


async def start_job(job_id, sem):
    await asyncio.sleep(0.001)  # the job's delay
    async with sem:  # at most two starts at once
        await asyncio.sleep(0.2)  # starting takes time
        if job_id < "4":  # ids from 0… to 3…, one in four, are refused
            raise RuntimeError("refused")
    return job_id


async def main():
    sem = asyncio.Semaphore(2)
    jobs = [start_job(uuid4().hex, sem) for _ in range(6)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    failed = sum(isinstance(result, Exception) for result in results)
    print(len(jobs) - failed, "started,", failed, "failed")


asyncio.run(main())
