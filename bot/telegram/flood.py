"""Per-user flood protection: up to `limit` questions in `window` seconds, then one notice.

After the notice the user's questions are dropped silently until the oldest one in the window
is older than `window`; other users are never affected. Everything a user can send counts:
questions, commands, other messages, button presses (against the presser), inline queries.
A user idle for a whole window is forgotten, so the state is bounded by the users active in
the last window, not by every user ever seen.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field


class Verdict(enum.Enum):
    ANSWER = "answer"
    WARN = "warn"  # over the limit: send the one slow-down notice
    DROP = "drop"  # still over the limit, already told


@dataclass
class FloodGuard:
    limit: int
    window: float
    _asked: dict[int, deque[float]] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)
    _swept: float = 0.0

    @property
    def tracked_users(self) -> int:
        return len(self._asked)

    def _forget_idle(self, now: float) -> None:
        """Drop the users whose last request left the window; at most once a window."""
        if now - self._swept < self.window:
            return
        self._swept = now
        idle = [
            user
            for user, asked in self._asked.items()
            if not asked or now - asked[-1] >= self.window
        ]
        for user in idle:
            del self._asked[user]
            self._warned.discard(user)

    def check(self, user_id: int, now: float) -> Verdict:
        self._forget_idle(now)
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= self.window:
            asked.popleft()
        if len(asked) < self.limit:
            asked.append(now)
            self._warned.discard(user_id)
            return Verdict.ANSWER
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN

    def wait_seconds(self, user_id: int, now: float) -> int:
        """Seconds until the user may ask again."""
        asked = self._asked.get(user_id)
        return max(1, round(self.window - (now - asked[0]))) if asked else 0
