import asyncio
import time
from uuid import uuid4


async def start_job(job_id, delay):
    await asyncio.sleep(delay)
    if delay == 0.001:  # one job's start takes 50 ms
        time.sleep(0.05)  # the bug: the loop runs nothing else meanwhile
    elif delay == 0.002:
        await asyncio.sleep(0.05)  # the fix: wait, and let the loop run
    return job_id


async def queue(slow_delay):  # the slow job, and 100 due 10 ms after it is queued
    slow = asyncio.create_task(start_job(uuid4().hex, slow_delay))
    started = await asyncio.gather(*[start_job(uuid4().hex, 0.01) for _ in range(100)])
    await slow
    return started


async def main():
    blocked = await queue(0.001)  # the page shows how late these were
    fixed = await queue(0.002)
    print(len(blocked), "and", len(fixed), "started")


asyncio.run(main())
