"""A small store of recently built values, one per app and name, for pages that are read far
more often than what they show changes. The key must hold everything the value is built
from: nothing is ever invalidated, an old key simply stops being asked for."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app


class Recent:
    """The last `size` values put, the most recently used kept longest."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


def recent(name: str, size: int = 4) -> Recent:
    """This app's store called `name` (each app has its own, so tests never share one)."""
    stores = current_app.extensions.setdefault("undersigned.recent", {})
    with _CREATING:
        return stores.setdefault(name, Recent(size))


_CREATING = threading.Lock()
