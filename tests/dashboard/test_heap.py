"""The server freezes its heap once, after the first run of the app script (dashboard/heap.py)."""

import gc

from dashboard import heap


def test_the_heap_is_frozen_once_and_only_once(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", False)
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        kept = [object() for _ in range(3)], {"a": [1]}  # containers the collector tracks
        heap.freeze_after_first_run()
        frozen = gc.get_freeze_count()
        assert frozen > 0 and gc.is_tracked(kept[1])
        later = [{"b": [2]} for _ in range(100)]
        heap.freeze_after_first_run()  # a later run: what it made stays collectable
        assert gc.get_freeze_count() == frozen
        assert later
    finally:
        gc.unfreeze()
