"""Seed 004's design as written, for the load test's baseline (not product code).

FastAPI + SQLAlchemy, one transaction per event (§7.3, §10.4): lock the
member's row, insert the point transaction, update the member's total and
level. SQLite stands in for PostgreSQL so both servers use the same storage
engine on this machine: `BEGIN IMMEDIATE` takes the write lock that
`SELECT ... FOR UPDATE` takes on the member's row, and commits are durable
(`synchronous=FULL`, as `laurel serve` runs). Tokens are HS256 JWTs checked
on every request, as seed 004's existing middleware does.

Run: DB=path SECRET=... uvicorn seed004_fastapi:app --port N --workers 2
"""

import os

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import create_engine, event, text

THRESHOLDS = [0, 5, 20, 65, 155, 515, 2015, 8015, 33015]
NAMES = ["Student", "Learner", "Builder", "Contributor", "Achiever", "Expert", "Leader", "Master", "Legend"]
POINTS = {"post_created": 2, "comment_added": 1, "post_liked": 1, "comment_liked": 1,
          "post_unliked": -1, "comment_unliked": -1, "lesson_completed": 5}
SECRET = os.environ["SECRET"]

engine = create_engine(f"sqlite:///{os.environ['DB']}", isolation_level=None, pool_size=8)


@event.listens_for(engine, "connect")
def _pragmas(connection, _):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


SCHEMA = """
CREATE TABLE IF NOT EXISTS member_points (
  community_id TEXT NOT NULL, user_id TEXT NOT NULL, total_points INTEGER NOT NULL DEFAULT 0,
  current_level INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (community_id, user_id));
CREATE INDEX IF NOT EXISTS member_points_level ON member_points (community_id, current_level);
CREATE TABLE IF NOT EXISTS point_transactions (
  id INTEGER PRIMARY KEY, event_id TEXT UNIQUE NOT NULL, community_id TEXT NOT NULL, user_id TEXT NOT NULL,
  points INTEGER NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS completed_lessons (
  community_id TEXT NOT NULL, user_id TEXT NOT NULL, lesson_id TEXT NOT NULL,
  PRIMARY KEY (community_id, user_id, lesson_id));
"""
with engine.connect() as c:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            c.execute(text(statement))

app = FastAPI()


def caller(authorization: str = Header(None)):
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "UNAUTHENTICATED")
    try:
        return jwt.decode(authorization[7:], SECRET, algorithms=["HS256"], audience="laurel")
    except jwt.PyJWTError:
        raise HTTPException(401, "UNAUTHENTICATED")


def level_for(points):
    return max(i + 1 for i, t in enumerate(THRESHOLDS) if points >= t)


class Event(BaseModel):
    id: str
    type: str
    at: str
    user: str
    community: str
    author: str | None = None
    lesson: str | None = None


@app.post("/api/actions")
def award(e: Event, claims=Depends(caller)):
    if "service" not in claims.get("roles", []):
        raise HTTPException(403, "FORBIDDEN")
    points = POINTS.get(e.type)
    if points is None:
        return {"id": e.id, "status": "ignored"}
    member = e.user if e.type == "lesson_completed" else e.author
    with engine.connect() as c:
        c.execute(text("BEGIN IMMEDIATE"))  # SELECT ... FOR UPDATE on the member's row
        try:
            if c.execute(text("SELECT 1 FROM point_transactions WHERE event_id = :i"), {"i": e.id}).first():
                c.execute(text("ROLLBACK"))
                return {"id": e.id, "status": "duplicate"}
            if e.type == "lesson_completed":
                done = c.execute(text("INSERT OR IGNORE INTO completed_lessons VALUES (:c, :u, :l)"),
                                 {"c": e.community, "u": member, "l": e.lesson or ""})
                if done.rowcount == 0:
                    c.execute(text("ROLLBACK"))
                    return {"id": e.id, "status": "applied"}
            row = c.execute(text("SELECT total_points, current_level FROM member_points "
                                 "WHERE community_id = :c AND user_id = :u"), {"c": e.community, "u": member}).first()
            total, level = (row[0], row[1]) if row else (0, 1)
            total = max(0, total + points)
            level = max(level, level_for(total))  # ratchet
            c.execute(text("INSERT INTO point_transactions (event_id, community_id, user_id, points, source, created_at) "
                           "VALUES (:i, :c, :u, :p, :s, :a)"),
                      {"i": e.id, "c": e.community, "u": member, "p": points, "s": e.type, "a": e.at})
            c.execute(text("INSERT INTO member_points VALUES (:c, :u, :t, :l) ON CONFLICT (community_id, user_id) "
                           "DO UPDATE SET total_points = :t, current_level = :l"),
                      {"c": e.community, "u": member, "t": total, "l": level})
            c.execute(text("COMMIT"))
        except Exception:
            c.execute(text("ROLLBACK"))
            raise
    return {"id": e.id, "status": "applied", "new_total": total}


def member_of(claims, community):
    if community not in (claims.get("communities") or {}):
        raise HTTPException(403, "FORBIDDEN")


@app.get("/api/communities/{community}/members/{user}/level")
def member_level(community: str, user: str, claims=Depends(caller)):
    member_of(claims, community)
    with engine.connect() as c:
        row = c.execute(text("SELECT total_points, current_level FROM member_points "
                             "WHERE community_id = :c AND user_id = :u"), {"c": community, "u": user}).first()
    total, level = (row[0], row[1]) if row else (0, 1)
    own = user == claims["sub"] and level < 9
    return {"user_id": user, "level": level, "level_name": NAMES[level - 1], "total_points": total,
            "points_to_next_level": THRESHOLDS[level] - total if own else None, "is_max_level": level == 9}


@app.get("/api/communities/{community}/levels")
def levels(community: str, claims=Depends(caller)):
    member_of(claims, community)
    with engine.connect() as c:
        counts = dict(c.execute(text("SELECT current_level, count(*) FROM member_points WHERE community_id = :c "
                                     "GROUP BY current_level"), {"c": community}).all())
        mine = c.execute(text("SELECT current_level FROM member_points WHERE community_id = :c AND user_id = :u"),
                         {"c": community, "u": claims["sub"]}).first()
    total = sum(counts.values())
    return {"levels": [{"level": i + 1, "name": NAMES[i], "threshold": THRESHOLDS[i],
                        "member_percentage": round(100 * counts.get(i + 1, 0) / total, 1) if total else 0.0}
                       for i in range(9)],
            "current_user_level": mine[0] if mine else 1}
