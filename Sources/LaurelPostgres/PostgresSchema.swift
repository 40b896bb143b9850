/// The PostgreSQL schema, as numbered migrations run on open (each in one
/// transaction, under an advisory lock, so that several processes opening
/// one database at once migrate it once). A database whose schema is newer
/// than this Laurel knows is refused.
///
/// Every key leads with the scope (`scope_key`: `g` for a global scheme,
/// `s:` and the community otherwise), so that a distributed PostgreSQL
/// (Citus, with `scope_key` as the distribution column) keeps a community on
/// one shard. The action log is keyed by action id, which is unique across
/// scopes. Batches are written by `laurel_write` and read by `laurel_read`
/// (one round trip each, see ``PostgresStore``).
enum PostgresSchema {
  /// The newest schema version this Laurel writes.
  static var version: Int { migrations.count }

  /// The statements of each version, in order (one statement per string:
  /// the extended query protocol runs one at a time).
  static let migrations: [[String]] = [
    [
      "CREATE TABLE laurel_meta (key text PRIMARY KEY, value text NOT NULL)",
      """
      CREATE TABLE members (
        scope_key text NOT NULL, user_id text NOT NULL,
        version bigint NOT NULL,      -- bumped on every write: what concurrent batches check
        state bytea NOT NULL,         -- the binary MemberState
        updated_at bigint NOT NULL,
        PRIMARY KEY (scope_key, user_id))
      """,
      """
      CREATE TABLE actions (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,   -- order of arrival
        type text NOT NULL, at bigint NOT NULL,
        body text,                    -- the action's JSON as received
        rules_version bigint)
      """,
      "CREATE UNIQUE INDEX actions_by_seq ON actions (seq)",
      """
      CREATE TABLE once_keys (
        scope_key text NOT NULL, user_id text NOT NULL, rule integer NOT NULL, key text NOT NULL,
        PRIMARY KEY (scope_key, user_id, rule, key))
      """,
      """
      CREATE TABLE ledger (
        scope_key text NOT NULL, user_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        currency text NOT NULL, amount bigint NOT NULL, balance bigint NOT NULL,
        rule text NOT NULL, action_id text NOT NULL, at bigint NOT NULL, rules_version bigint)
      """,
      "CREATE INDEX ledger_by_member ON ledger (scope_key, user_id, seq)",
      "CREATE INDEX ledger_by_window ON ledger (scope_key, currency, at)",
      """
      CREATE TABLE balances (         -- each member's latest balance per currency: the all-time boards
        scope_key text NOT NULL, currency text NOT NULL, user_id text NOT NULL, amount bigint NOT NULL,
        PRIMARY KEY (scope_key, currency, user_id))
      """,
      "CREATE INDEX balances_ranking ON balances (scope_key, currency, amount DESC, user_id)",
      """
      CREATE TABLE badges (
        scope_key text NOT NULL, user_id text NOT NULL, badge text NOT NULL,
        key text NOT NULL,            -- '' for a badge earned once per member
        at bigint NOT NULL, action_id text NOT NULL, rules_version bigint,
        PRIMARY KEY (scope_key, user_id, badge, key))
      """,
      "CREATE INDEX badges_by_name ON badges (badge, at)",
      """
      CREATE TABLE settings (
        scope_key text NOT NULL, kind text NOT NULL, name text NOT NULL,
        value text NOT NULL,          -- JSON
        PRIMARY KEY (scope_key, kind, name))
      """,
      """
      CREATE TABLE audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL,
        operation text NOT NULL, scope_key text NOT NULL, target text NOT NULL,
        before text, after text, reason text)
      """,
      """
      CREATE TABLE outbox (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type text NOT NULL, scope_key text NOT NULL, user_id text NOT NULL,
        at bigint NOT NULL, at_nanos integer NOT NULL, data text NOT NULL)
      """,
      """
      CREATE TABLE counts (           -- running action counts, spread over slots so writers do not queue on one row
        name text NOT NULL, slot integer NOT NULL, value bigint NOT NULL, PRIMARY KEY (name, slot))
      """,
      "CREATE TABLE rule_files (path text PRIMARY KEY, text text NOT NULL)",
      """
      CREATE TABLE rule_versions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, digest text NOT NULL UNIQUE, saved_at bigint NOT NULL)
      """,
      readFunction,
      writeFunction(countNames: ["read", "applied", "duplicates", "ignored", "rejected"]),
    ],
    // Stores keep what applied actions produced (points awarded, level steps,
    // badges) with the action counts: `laurel_write` takes their names too.
    [
      writeFunction(
        countNames: [
          "read", "applied", "duplicates", "ignored", "rejected", "points_awarded", "points_deducted", "leveled_up",
          "leveled_down", "badge_earned",
        ], replacing: true)
    ],
  ]

  /// What a batch needs, in one statement: members (a state only when it is
  /// not the version the caller holds), action ids already logged, once-per
  /// keys claimed, scopes' tier settings, single settings and whole scopes.
  static let readFunction = """
    CREATE FUNCTION laurel_read(
      m_scopes text[], m_users text[], m_known bigint[], a_ids text[],
      o_scopes text[], o_users text[], o_rules integer[], o_keys text[], t_scopes text[],
      s_kinds text[], s_scopes text[], s_names text[], l_scopes text[])
    RETURNS TABLE (tag integer, scope_key text, user_id text, version bigint, state bytea, name text, value text)
    LANGUAGE sql STABLE AS $$
      SELECT 0, m.scope_key, m.user_id, m.version, CASE WHEN m.version = k.v THEN NULL ELSE m.state END, NULL, NULL
        FROM unnest(m_scopes, m_users, m_known) AS k(s, u, v)
        JOIN members m ON m.scope_key = k.s AND m.user_id = k.u
      UNION ALL
      SELECT 1, NULL, a.id, NULL, NULL, NULL, NULL FROM actions a WHERE a.id = ANY (a_ids)
      UNION ALL
      SELECT 2, o.scope_key, o.user_id, o.rule, NULL, o.key, NULL
        FROM unnest(o_scopes, o_users, o_rules, o_keys) AS k(s, u, r, y)
        JOIN once_keys o ON o.scope_key = k.s AND o.user_id = k.u AND o.rule = k.r AND o.key = k.y
      UNION ALL
      SELECT 3, s.scope_key, NULL, NULL, NULL, s.name, s.value
        FROM settings s WHERE s.kind = 'tiers' AND s.scope_key = ANY (t_scopes)
      UNION ALL
      SELECT 4, s.scope_key, s.kind, NULL, NULL, s.name, s.value
        FROM unnest(s_kinds, s_scopes, s_names) AS k(kd, sc, n)
        JOIN settings s ON s.scope_key = k.sc AND s.kind = k.kd AND s.name = k.n
      UNION ALL
      SELECT 5, m.scope_key, m.user_id, m.version, m.state, NULL, NULL
        FROM members m WHERE m.scope_key = ANY (l_scopes)
    $$
    """

  /// A batch's effects, in one statement (one transaction): members locked
  /// in key order and checked against the versions the batch read, then
  /// changed and created; the action log, once-per keys, ledger, balances,
  /// badges, counts and the admin part (settings checked and written, audit,
  /// outbox). Anything that changed under the batch raises SQLSTATE 40001
  /// and writes nothing; the store reads again and re-plans.
  static func writeFunction(countNames: [String], replacing: Bool = false) -> String {
    """
    CREATE \(replacing ? "OR REPLACE " : "")FUNCTION laurel_write(
      c_scopes text[], c_users text[], c_versions bigint[],
      u_scopes text[], u_users text[], u_states bytea[],
      n_scopes text[], n_users text[], n_states bytea[],
      a_ids text[], a_types text[], a_ats bigint[], a_bodies text[],
      o_scopes text[], o_users text[], o_rules integer[], o_keys text[],
      l_scopes text[], l_users text[], l_currencies text[], l_amounts bigint[], l_balances bigint[],
      l_rules text[], l_actions text[], l_ats bigint[],
      b_scopes text[], b_users text[], b_badges text[], b_keys text[], b_ats bigint[], b_actions text[],
      rules_version bigint, event_counts bigint[], admin jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      n bigint;
      now_s bigint := extract(epoch FROM clock_timestamp())::bigint;
    BEGIN
      -- Settings the batch read or writes, and scopes whose tiers it read:
      -- locked (shared for reads) in one order, then checked.
      PERFORM pg_advisory_xact_lock(hashtextextended(k, 0))
        FROM (SELECT DISTINCT e->>'lock' AS k FROM jsonb_array_elements(admin->'exclusive') e ORDER BY 1) x;
      PERFORM pg_advisory_xact_lock_shared(hashtextextended(k, 0))
        FROM (SELECT DISTINCT e->>'lock' AS k FROM jsonb_array_elements(admin->'shared') e ORDER BY 1) x;
      IF EXISTS (
        SELECT 1 FROM jsonb_array_elements(admin->'expect') e
        WHERE (SELECT s.value FROM settings s
               WHERE s.scope_key = e->>'scope_key' AND s.kind = e->>'kind' AND s.name = e->>'name')
              IS DISTINCT FROM e->>'value')
      THEN RAISE EXCEPTION 'laurel: a setting changed since the batch read it' USING ERRCODE = '40001'; END IF;
      IF EXISTS (
        SELECT 1 FROM jsonb_array_elements(admin->'tiers') t
        WHERE (SELECT count(*) FROM settings s WHERE s.kind = 'tiers' AND s.scope_key = t->>'scope_key')
              <> jsonb_array_length(t->'rows')
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(t->'rows') r
                      WHERE (SELECT s.value FROM settings s WHERE s.scope_key = t->>'scope_key' AND s.kind = 'tiers'
                             AND s.name = r->>'name') IS DISTINCT FROM r->>'value'))
      THEN RAISE EXCEPTION 'laurel: tier settings changed since the batch read them' USING ERRCODE = '40001'; END IF;

      PERFORM 1 FROM members m JOIN unnest(c_scopes, c_users) AS k(s, u) ON m.scope_key = k.s AND m.user_id = k.u
        ORDER BY m.scope_key, m.user_id FOR UPDATE OF m;
      SELECT count(*) INTO n FROM members m
        JOIN unnest(c_scopes, c_users, c_versions) AS k(s, u, v) ON m.scope_key = k.s AND m.user_id = k.u
        WHERE m.version = k.v;
      IF n <> cardinality(c_scopes) THEN
        RAISE EXCEPTION 'laurel: a member changed since the batch read it' USING ERRCODE = '40001';
      END IF;
      IF EXISTS (
        SELECT 1 FROM jsonb_array_elements(admin->'scopes') c
        WHERE (SELECT count(*) FROM members m WHERE m.scope_key = c->>'scope_key') <> (c->>'count')::bigint)
      THEN RAISE EXCEPTION 'laurel: members joined a scope since the batch read it' USING ERRCODE = '40001'; END IF;

      UPDATE members m SET state = k.st, version = m.version + 1, updated_at = now_s
        FROM unnest(u_scopes, u_users, u_states) AS k(s, u, st) WHERE m.scope_key = k.s AND m.user_id = k.u;
      INSERT INTO members (scope_key, user_id, version, state, updated_at)
        SELECT s, u, 1, st, now_s FROM unnest(n_scopes, n_users, n_states) AS k(s, u, st)
        ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n <> cardinality(n_scopes) THEN
        RAISE EXCEPTION 'laurel: a member was created since the batch read it' USING ERRCODE = '40001';
      END IF;

      INSERT INTO actions (id, type, at, body, rules_version)
        SELECT i, t, a, NULLIF(b, ''), rules_version
        FROM unnest(a_ids, a_types, a_ats, a_bodies) WITH ORDINALITY AS k(i, t, a, b, o) ORDER BY o
        ON CONFLICT (id) DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n <> cardinality(a_ids) THEN
        RAISE EXCEPTION 'laurel: an action was applied by another writer meanwhile' USING ERRCODE = '40001';
      END IF;
      INSERT INTO once_keys (scope_key, user_id, rule, key)
        SELECT * FROM unnest(o_scopes, o_users, o_rules, o_keys) ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n <> cardinality(o_scopes) THEN
        RAISE EXCEPTION 'laurel: a once-per key was claimed by another writer meanwhile' USING ERRCODE = '40001';
      END IF;

      INSERT INTO ledger (scope_key, user_id, currency, amount, balance, rule, action_id, at, rules_version)
        SELECT s, u, c, a, b, r, i, t, rules_version
        FROM unnest(l_scopes, l_users, l_currencies, l_amounts, l_balances, l_rules, l_actions, l_ats)
          WITH ORDINALITY AS k(s, u, c, a, b, r, i, t, o) ORDER BY o;
      INSERT INTO balances (scope_key, currency, user_id, amount)
        SELECT DISTINCT ON (s, c, u) s, c, u, b
        FROM unnest(l_scopes, l_currencies, l_users, l_balances) WITH ORDINALITY AS k(s, c, u, b, o)
        ORDER BY s, c, u, o DESC
        ON CONFLICT (scope_key, currency, user_id) DO UPDATE SET amount = excluded.amount;
      INSERT INTO badges (scope_key, user_id, badge, key, at, action_id, rules_version)
        SELECT s, u, b, k2, t, i, rules_version FROM unnest(b_scopes, b_users, b_badges, b_keys, b_ats, b_actions)
          AS k(s, u, b, k2, t, i)
        ON CONFLICT DO NOTHING;
      DELETE FROM badges b USING jsonb_array_elements(admin->'removed_badges') r
        WHERE b.scope_key = r->>'scope_key' AND b.user_id = r->>'user' AND b.badge = r->>'badge'
          AND b.key = r->>'key';

      INSERT INTO counts (name, slot, value)
        SELECT k.name, (random() * 63)::integer, k.value
        FROM unnest(ARRAY[\(countNames.map { "'\($0)'" }.joined(separator: ", "))], event_counts) AS k(name, value)
        WHERE k.value <> 0
        ON CONFLICT (name, slot) DO UPDATE SET value = counts.value + excluded.value;

      DELETE FROM settings s USING jsonb_array_elements(admin->'settings') e
        WHERE e->'value' IS NULL
          AND s.scope_key = e->>'scope_key' AND s.kind = e->>'kind' AND s.name = e->>'name';
      INSERT INTO settings (scope_key, kind, name, value)
        SELECT e->>'scope_key', e->>'kind', e->>'name', e->>'value'
        FROM jsonb_array_elements(admin->'settings') e WHERE e->'value' IS NOT NULL
        ON CONFLICT (scope_key, kind, name) DO UPDATE SET value = excluded.value;
      INSERT INTO audit (at, actor, operation, scope_key, target, before, after, reason)
        SELECT (e->>'at')::bigint, e->>'actor', e->>'operation', e->>'scope_key', e->>'target',
               e->>'before', e->>'after', e->>'reason'
        FROM jsonb_array_elements(admin->'audit') WITH ORDINALITY AS x(e, o) ORDER BY o;
      -- Outbox sequences are taken under one lock held to the commit, so they
      -- are committed in order: a reader past N never misses an event below N.
      IF jsonb_array_length(admin->'outbox') > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('laurel outbox', 0));
        INSERT INTO outbox (type, scope_key, user_id, at, at_nanos, data)
          SELECT e->>'type', e->>'scope_key', e->>'user', (e->>'at')::bigint, (e->>'at_nanos')::integer, e->>'data'
          FROM jsonb_array_elements(admin->'outbox') WITH ORDINALITY AS x(e, o) ORDER BY o;
      END IF;
    END
    $$
    """
  }

  /// The column value of a scope: `g` for a global scheme, `s:` and the scope otherwise.
  static func scopeKey(_ scope: String?) -> String { scope.map { "s:" + $0 } ?? "g" }

  /// The scope of a `scope_key` value.
  static func scope(_ key: String) -> String? { key.hasPrefix("s:") ? String(key.dropFirst(2)) : nil }
}
