async def schedule_jobs():
    # Task is a wrapped coroutine which also represents a future
    single_task = asyncio.create_task(start_job(uuid4().hex, _DELAY_LARGE))

    # Futures are different from other coroutines since they can be cancelled
    single_task.cancel()
    task_failed = False
    try:
        await single_task
    except asyncio.exceptions.CancelledError:
        assert single_task.cancelled()
        task_failed = True
    assert task_failed is True

    # Not in the original: a task that has finished cannot be cancelled
    quick_task = asyncio.create_task(start_job(uuid4().hex, _DELAY_SMALL))
    await quick_task
    assert quick_task.cancel() is False
