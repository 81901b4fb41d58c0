#!/usr/bin/python3
"""A TCP relay on loopback that holds every chunk back DELAY ms in each
direction, like a server a few milliseconds away: the benchmark puts it
between a client and smtp-sink to count round trips (BENCHMARKS.md).

    delay-relay.py LISTEN_PORT TARGET_PORT [DELAY_MS]   (default 5 ms)

Binds 127.0.0.1 only and connects to 127.0.0.1 only. Prints "ready" on
stdout once it listens; runs until killed. Order within a direction is
kept; each chunk goes out DELAY ms after it came in (not DELAY ms after
the previous one left), so the relay adds latency, not a bandwidth cap.
"""

import asyncio
import sys
import time


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def later():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(later())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((0, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def main():
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    delay = (float(sys.argv[3]) if len(sys.argv) > 3 else 5.0) / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, delay),
                             pump(server_reader, client_writer, delay))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
