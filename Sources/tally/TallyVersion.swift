/// The version this build reports.
enum TallyVersion {
    static let current = "0.1.0"
}
