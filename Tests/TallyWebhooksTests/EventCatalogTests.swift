// The webhooks/ event catalog matches the code: one schema and one sample per EventType, the
// samples carry the envelope and the account fields, and (with jsonschema installed) every
// schema is valid draft 2020-12 and every sample validates against it.
import Foundation
import Testing
import TallyCore
import TallyTesting

@Suite struct EventCatalogTests {
    let folder = repositoryRoot.appendingPathComponent("webhooks")

    func json(_ path: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: folder.appendingPathComponent(path))))
    }

    @Test func theCatalogListsEveryEventTypeOnce() throws {
        let entries = try #require(try json("catalog.json")["events"]?.arrayValue)
        let listed = entries.compactMap { $0["type"]?.stringValue }
        #expect(listed.sorted() == EventType.allCases.map(\.rawValue).sorted())
        for entry in entries {
            let type = entry["type"]?.stringValue ?? ""
            #expect(entry["schema"]?.stringValue == "events/\(type).schema.json")
            #expect(entry["sample"]?.stringValue == "events/\(type).sample.json")
            #expect(entry["description"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(arguments: EventType.allCases.map(\.rawValue))
    func eachSampleCarriesTheEnvelope(type: String) throws {
        let sample = try json("events/\(type).sample.json")
        #expect(sample["type"]?.stringValue == type)
        #expect(sample["timestamp"]?.stringValue.flatMap(Timestamp.parse) != nil)
        let data = try #require(sample["data"])
        let concernsAnAccount = type != EventType.endpointDisabled.rawValue
        #expect((data["account"]?.stringValue != nil) == concernsAnAccount)
        #expect(((data["account_seq"]?.integerValue ?? 0) >= 1) == concernsAnAccount)
        #expect((data["balance"]?["overdraft_limit"]?.integerValue != nil) == concernsAnAccount)
        let schema = try json("events/\(type).schema.json")
        #expect(schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["properties"]?["type"]?["const"]?.stringValue == type)
    }

    @Test func everySampleValidatesAgainstItsSchema() throws {
        guard (try? ChildProcess.run(["python3", "-c", "import jsonschema"])) == 0 else {
            print("jsonschema is not installed (pip install jsonschema): schema validation skipped")
            return
        }
        #expect(try ChildProcess.run(["python3", folder.appendingPathComponent("events/validate.py").path]) == 0)
    }
}
