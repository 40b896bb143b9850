/// `PUT …/levels` (seed 004 §5.2).
struct LevelsBody: Decodable {
  struct Level: Decodable {
    var level: Int
    var name: String
    var threshold: Int64
    enum CodingKeys: String, CodingKey, CaseIterable { case level, name, threshold }
    init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let container = try decoder.container(keyedBy: CodingKeys.self)
      level = try container.decode(Int.self, forKey: .level)
      name = try container.decode(String.self, forKey: .name)
      threshold = try container.decode(Int64.self, forKey: .threshold)
    }
  }
  var levels: [Level]
  enum CodingKeys: String, CodingKey, CaseIterable { case levels }
  init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    levels = try decoder.container(keyedBy: CodingKeys.self).decode([Level].self, forKey: .levels)
  }
}

/// `PUT …/courses/{id}/level-requirement`: `{"minimum_level": 3}` or `null` to remove.
struct RequirementBody: Decodable {
  var minimumLevel: Int?
  enum CodingKeys: String, CodingKey, CaseIterable { case minimumLevel = "minimum_level" }
  init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard container.contains(.minimumLevel) else {
      throw DecodingError.keyNotFound(
        CodingKeys.minimumLevel, .init(codingPath: decoder.codingPath, debugDescription: "required"))
    }
    minimumLevel =
      try container.decodeNil(forKey: .minimumLevel) ? nil : container.decode(Int.self, forKey: .minimumLevel)
  }
}

/// `POST /admin/badges` and `PUT /admin/badges/{id}` (seed 000 §3.1).
struct BadgeBody: Decodable {
  var id: String?
  var name: String
  var description: String?
  var imageURL: String?
  enum CodingKeys: String, CodingKey, CaseIterable {
    case id, name, description
    case imageURL = "image_url"
  }
  init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let container = try decoder.container(keyedBy: CodingKeys.self)
    id = try container.decodeIfPresent(String.self, forKey: .id)
    name = try container.decode(String.self, forKey: .name)
    description = try container.decodeIfPresent(String.self, forKey: .description)
    imageURL = try container.decodeIfPresent(String.self, forKey: .imageURL)
  }
}

/// `POST /admin/users/{id}/badges`: the badge to grant, and why.
struct GrantBody: Decodable {
  var badgeID: String
  var key: String?
  var reason: String?
  enum CodingKeys: String, CodingKey, CaseIterable {
    case badgeID = "badge_id"
    case key, reason
  }
  init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let container = try decoder.container(keyedBy: CodingKeys.self)
    badgeID = try container.decode(String.self, forKey: .badgeID)
    key = try container.decodeIfPresent(String.self, forKey: .key)
    reason = try container.decodeIfPresent(String.self, forKey: .reason)
  }
}
