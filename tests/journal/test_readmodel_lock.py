"""The read model's readers–writer lock tells when a writer is waiting."""

from __future__ import annotations

import threading
import time

from oversight_graph.journal.readmodel import SharedLock


def test_a_waiting_writer_is_visible_to_the_readers_it_waits_for() -> None:
    lock = SharedLock()
    entered = threading.Event()
    assert not lock.writer_waiting
    with lock.shared():

        def write() -> None:
            with lock.exclusive():
                entered.set()

        writer = threading.Thread(target=write)
        writer.start()
        for _ in range(500):
            if lock.writer_waiting:
                break
            time.sleep(0.01)
        assert lock.writer_waiting
        assert not entered.is_set()
    writer.join(timeout=10)
    assert entered.is_set()
    assert not lock.writer_waiting
