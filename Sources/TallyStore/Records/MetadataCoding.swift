import Foundation
import TallyCore

/// Turns string maps into the JSON text stored in `metadata` columns and back.
enum MetadataCoding {
    /// Encodes with sorted keys so equal maps store equal text.
    static func encode(_ metadata: [String: String]) -> String {
        if metadata.isEmpty { return "{}" }
        var text = "{"
        for (index, key) in metadata.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            appendQuoted(key, to: &text)
            text += ":"
            appendQuoted(metadata[key] ?? "", to: &text)
        }
        return text + "}"
    }

    /// Decodes stored text; anything but a JSON object of strings is corruption.
    static func decode(_ text: String) throws(StoreError) -> [String: String] {
        if text == "{}" || text.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let map = object as? [String: String]
        else { throw .corrupt("metadata") }
        return map
    }

    private static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

/// Small rarely written values stored as JSON text, with the empty text for nil.
enum JSONColumn {
    static func encode<Value: Encodable>(_ value: Value?) -> String {
        value.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String, _ what: String) throws(StoreError) -> Value? {
        guard !text.isEmpty else { return nil }
        guard let value = try? JSONDecoder().decode(type, from: Data(text.utf8)) else { throw .corrupt(what) }
        return value
    }
}

/// Turns `lot:amount` maps (hold reservations, refunded lot parts) into text and back.
enum LotAmountsCoding {
    static func encode(_ amounts: [Int64: Int64]) -> String {
        amounts.keys.sorted().map { "\($0):\(amounts[$0] ?? 0)" }.joined(separator: ",")
    }

    static func decode(_ text: String) throws(StoreError) -> [Int64: Int64] {
        var amounts: [Int64: Int64] = [:]
        for field in text.split(separator: ",") {
            let parts = field.split(separator: ":")
            guard parts.count == 2, let lot = Int64(parts[0]), let amount = Int64(parts[1]) else {
                throw .corrupt("lot amounts")
            }
            amounts[lot] = amount
        }
        return amounts
    }
}
