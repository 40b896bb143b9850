/// How `laurel serve` runs: where it listens, how it checks tokens, which of
/// the scheme's ladder, gate and progress map seed 004's and seed 000's
/// endpoints use, its limits, and where it delivers events.
public struct ServerConfiguration: Sendable {
  /// A receiver of signed webhook deliveries.
  public struct Webhook: Sendable {
    public var url: String
    /// The HMAC-SHA256 key of the `Laurel-Signature` header.
    public var secret: [UInt8]
    public init(url: String, secret: [UInt8]) {
      self.url = url
      self.secret = secret
    }
  }

  /// The address to listen on: loopback unless told otherwise.
  public var host = "127.0.0.1"
  /// 0 picks a free port (tests).
  public var port = 8080
  public var tokens: TokenSettings
  /// The ladder `/levels` and `/members/{id}/level` show; nil: the first
  /// overridable ladder, else the first ladder.
  public var ladder: String?
  /// The gate `/courses/{id}/…` uses; nil: the first gate.
  public var gate: String?
  /// The progress map `/admin/modules/{id}/users` reads; nil: the first.
  public var progress: String?
  /// The largest JSON body accepted (bytes); batches have their own limit.
  public var bodyLimit = 1 << 20
  /// The largest batch body (bytes) and the most actions in one batch.
  public var batchLimit = 16 << 20
  public var batchActions = 10_000
  /// How long an idle keep-alive connection stays open.
  public var idleTimeout: Duration = .seconds(60)
  /// How long a stopping server keeps delivering the outbox to webhooks.
  public var drainTimeout: Duration = .seconds(10)
  public var webhooks: [Webhook] = []
  /// How often the level-distribution gauge is recomputed (nil: never).
  public var distributionInterval: Duration? = .seconds(60)

  public init(tokens: TokenSettings) {
    self.tokens = tokens
  }
}
