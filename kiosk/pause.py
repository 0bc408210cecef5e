"""Service paused by staff ("暂停服务"): the kiosk shows its out-of-service screen instead of the menu until a
staff member resumes it. Kept in a small file in the state folder, written whole and synced, so a restart
(or a power cut) does not silently put a paused kiosk back into service."""
from __future__ import annotations

import datetime as dt
import json
import os


class ServicePause:
    def __init__(self, state_dir: str):
        self.path = os.path.join(state_dir, "paused.json")

    @property
    def paused(self) -> bool:
        return os.path.exists(self.path)

    def by(self) -> dict | None:
        """Who paused it and when ({"staff_no", "since"}), or None when in service; an unreadable file still
        counts as paused (it was written by a pause; only a resume removes it)."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"staff_no": "?", "since": "?"}

    def pause(self, staff_no: str) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"staff_no": staff_no, "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def resume(self) -> None:
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
