import Foundation
import HTTPTypes
import Laurel
import LaurelDiagnostics
import LaurelReplay
import LaurelReports
import LaurelRules

/// Everything one playground holds between requests: the rules folder, the
/// histories, and the last replays, so that paging a table or inspecting a
/// member does not replay again, and a diff after an edit replays only the
/// new rules (the baseline's replay is kept until the baseline or the
/// history changes).
actor PlaygroundSession {
  let folder: RuleFolder
  let maxUploadBytes: Int
  private var histories: Histories
  private var current: String
  /// The file the playground was started on, when it was started on a file.
  private let namedFile: String?

  /// A finished replay, what it was of, and its members' profiles (sorted by member).
  private struct Replay {
    var key: String
    var simulation: Simulation
    var profiles: [MemberProfile]

    init(key: String, simulation: Simulation) {
      self.key = key
      self.simulation = simulation
      profiles = simulation.report().members
    }
  }
  private var baseline: Replay?
  private var latest: Replay?

  init(
    rules: String, samples: [String], stores: [String], maxUploadBytes: Int
  ) throws(PlaygroundError) {
    folder = try RuleFolder(path: rules)
    self.maxUploadBytes = maxUploadBytes
    histories = Histories(samples: samples, stores: stores, folder: folder.url)
    current = ""
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: rules, isDirectory: &isDirectory)
    let files = folder.files()
    guard !files.isEmpty else { throw .notFound("no rule files (*.yaml) in \(folder.url.path)") }
    namedFile = isDirectory.boolValue ? nil : URL(fileURLWithPath: rules).lastPathComponent
  }

  /// Picks the first file to show: the one given, or the file whose rules
  /// apply the most actions of the first history.
  func chooseFirstFile() async -> String {
    if current.isEmpty { current = await histories.all.first?.id ?? "" }
    let files = folder.files()
    if let namedFile { return namedFile }
    guard files.count > 1, let path = try? await historyPath() else { return files.first ?? "" }
    var best = (file: files[0], applied: -1)
    for file in files {
      guard let text = try? folder.text(of: file), let rules = try? folder.compile(EditedRules(file: file, text: text)),
        let simulation = try? Self.replay(rules, path: path)
      else { continue }
      if simulation.counts.applied > best.applied { best = (file, simulation.counts.applied) }
    }
    return best.file
  }

  func state(first: String) async -> StateResponse {
    let files = folder.files().map { file in
      let text = (try? folder.text(of: file)) ?? ""
      return RuleFileInfo(file: file, text: text, scheme: folder.scheme(of: text))
    }
    return StateResponse(
      folder: folder.url.path, files: files, file: first, histories: await histories.all, history: current,
      maxUploadBytes: maxUploadBytes, git: folder.isInGit)
  }

  func shutdown() async { await histories.removeTemporaryFiles() }

  // MARK: - Rules

  func validate(_ rules: EditedRules) throws(PlaygroundError) -> ValidateResponse {
    _ = try folder.path(of: rules.file)
    do {
      let compiled = try folder.compile(rules)
      return ValidateResponse(
        valid: true, scheme: compiled.scheme, problems: [], fields: PointValues(text: rules.text).fields)
    } catch  where error.code == "INVALID_RULES" {
      // The form reads the YAML again: only a text the loader's size and expansion limits let through.
      let problems = error.problems ?? []
      let hostile = problems.contains { $0.code == "too-complex" }
      return ValidateResponse(
        valid: false, scheme: nil, problems: problems, fields: hostile ? [] : PointValues(text: rules.text).fields)
    }
  }

  func setValue(_ request: SetValueRequest) throws(PlaygroundError) -> SetValueResponse {
    _ = try folder.path(of: request.rules.file)
    guard folder.loader.isWithinLimits(request.rules.text) else {
      throw .badRequest("the file is not YAML within the rule files' limits; correct it in the editor first")
    }
    let values = PointValues(text: request.rules.text)
    do {
      let (text, edit) = try values.setting(request.id, to: request.value)
      return SetValueResponse(text: text, edit: edit, fields: PointValues(text: text).fields)
    } catch {
      throw PlaygroundError(status: .unprocessableContent, code: "INVALID_VALUE", message: error.description)
    }
  }

  func save(_ rules: EditedRules) throws(PlaygroundError) -> SaveResponse {
    let bytes = try folder.save(rules)
    baseline = nil  // "disk" has changed
    return SaveResponse(file: rules.file, bytes: bytes)
  }

  // MARK: - Histories

  func selectHistory(_ id: String) async throws(PlaygroundError) -> HistoryInfo {
    _ = try await histories.path(of: id)
    current = id
    return try await histories.info(id)
  }

  func upload(
    named name: String, chunks: sending some AsyncSequence<[UInt8], any Error>
  ) async throws(PlaygroundError)
    -> HistoryInfo
  {
    let info = try await histories.upload(named: name, limit: maxUploadBytes, chunks: chunks)
    current = info.id
    return info
  }

  private func historyPath() async throws(PlaygroundError) -> String {
    guard !current.isEmpty else {
      throw .badRequest("no history to replay: upload one, or start with --events FILE", code: "NO_HISTORY")
    }
    return try await histories.path(of: current)
  }

  // MARK: - Replays

  static func replay(_ rules: CompiledRules, path: String) throws(PlaygroundError) -> Simulation {
    var simulation = Simulation(rules: rules)
    simulation.tracksRules = true
    do { try simulation.run(path: path) } catch {
      throw .badRequest("cannot replay the history: \(error)", code: "HISTORY")
    }
    return simulation
  }

  /// The replay of the edited rules, reused while neither they nor the history change.
  private func replayEdited(_ rules: EditedRules) async throws(PlaygroundError) -> Replay {
    let compiled = try folder.compile(rules)
    let path = try await historyPath()
    let key = current + "\u{0}" + rules.file + "\u{0}" + rules.text
    if let latest, latest.key == key { return latest }
    let replay = Replay(key: key, simulation: try Self.replay(compiled, path: path))
    latest = replay
    return replay
  }

  private func replayBaseline(_ rules: EditedRules, against: String) async throws(PlaygroundError) -> Replay {
    let (key, compiled) = try folder.baseline(for: rules, against: against)
    let path = try await historyPath()
    let fullKey = current + "\u{0}" + key
    if let baseline, baseline.key == fullKey { return baseline }
    let replay = Replay(key: fullKey, simulation: try Self.replay(compiled, path: path))
    baseline = replay
    return replay
  }

  func simulate(_ request: SimulateRequest) async throws(PlaygroundError) -> SimulateResponse {
    let clock = ContinuousClock.now
    let replay = try await replayEdited(request.rules)
    var response = SimulationView(simulation: replay.simulation, profiles: replay.profiles).response(
      query: request.query ?? TableQuery())
    response.history = try await histories.info(current)
    response.milliseconds = Self.milliseconds(since: clock)
    return response
  }

  func diff(_ request: DiffRequest) async throws(PlaygroundError) -> DiffResponse {
    let clock = ContinuousClock.now
    let after = try await replayEdited(request.rules)
    let before = try await replayBaseline(request.rules, against: request.against)
    let report = RuleChangeAnalysis(from: before.simulation.rules, to: after.simulation.rules).compare(
      before.simulation, after.simulation, profiles: (before.profiles, after.profiles))
    var response = DiffView(report: report, rules: after.simulation.rules).response(
      query: request.query ?? TableQuery())
    response.against = request.against
    response.history = try await histories.info(current)
    response.milliseconds = Self.milliseconds(since: clock)
    return response
  }

  func inspect(_ request: InspectRequest) async throws(PlaygroundError) -> InspectResponse {
    let member = MemberID(scope: request.scope, user: request.user)
    let after = try folder.compile(request.rules)
    let before = try folder.baseline(for: request.rules, against: request.against).rules
    let path = try await historyPath()
    return InspectResponse(
      scope: request.scope, user: request.user, against: request.against,
      before: try MemberInspector(rules: before, member: member).timeline(path: path),
      after: try MemberInspector(rules: after, member: member).timeline(path: path))
  }

  static func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
  }
}
