public import Laurel

/// Lines of a history decoded into actions, in file order.
public struct DecodedBatch: Sendable {
  /// The decoded actions; a line that could not be decoded keeps a slot
  /// (holding what was decoded of it), listed in ``failures``.
  public var actions: [PreparedAction] = []
  /// The line number of each action.
  public var lines: [Int] = []
  /// The lines that could not be decoded: their index in ``actions`` and why.
  public var failures: [(index: Int, error: ActionError)] = []
  /// Bytes of the file read once this batch was complete (for progress).
  public var bytesRead = 0

  public init(capacity: Int = 0) {
    actions.reserveCapacity(capacity)
    lines.reserveCapacity(capacity)
  }

  /// The decoded actions only, with their lines (failures left out).
  public var decoded: (actions: [PreparedAction], lines: [Int]) {
    guard !failures.isEmpty else { return (actions, lines) }
    var skip = Set(failures.map(\.index))
    var actions: [PreparedAction] = []
    var lines: [Int] = []
    for i in self.actions.indices where skip.remove(i) == nil {
      actions.append(self.actions[i])
      lines.append(self.lines[i])
    }
    return (actions, lines)
  }
}

/// A history read in batches of decoded actions (see ``HistoryReader``).
public struct HistoryBatches {
  private var reader: HistoryReader
  private let decoder: ActionDecoder
  private let size: Int

  /// Batches of up to `size` actions from `path` (`-`: standard input),
  /// decoded under `rules`; `keepsSource` keeps each action's JSON (stores
  /// that log actions need it).
  public init(
    path: String, rules: CompiledRules, size: Int = 4096, keepsSource: Bool = false
  ) throws(HistoryReader.ReadError) {
    reader = try HistoryReader(path: path)
    var decoder = ActionDecoder(rules: rules)
    decoder.keepsSource = keepsSource
    self.decoder = decoder
    self.size = max(1, size)
  }

  /// The next batch, or nil at the end of the history.
  public mutating func next() throws -> DecodedBatch? {
    var batch = DecodedBatch(capacity: size)
    let decoder = self.decoder
    let size = self.size
    _ = try reader.read { line, bytes in
      var action = PreparedAction()
      do throws(ActionError) { try decoder.decode(bytes, into: &action) } catch {
        batch.failures.append((batch.actions.count, error))
      }
      batch.actions.append(action)
      batch.lines.append(line)
      return batch.actions.count < size
    }
    batch.bytesRead = reader.bytesRead
    if batch.actions.isEmpty {
      reader.close()
      return nil
    }
    return batch
  }
}
