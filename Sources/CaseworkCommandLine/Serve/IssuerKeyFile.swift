import Foundation
import Synchronization

/// An identity provider's JWKS file and the keys last read from it: read when the server starts, and read again when
/// the server is told to (`SIGHUP`, ``ServeInstance/reloadKeys()``), so a provider's rotated keys are taken up without
/// a restart.
///
/// A new file is believed whole or not at all: one that cannot be read or holds a key that cannot be used
/// (``JSONWebKeySet/load(path:)``) leaves the keys from before in place, and the reload says why. The server fetches no
/// keys over the network (it has no HTTP client); the deployer refreshes the file from the provider's `jwks_uri`.
final class IssuerKeyFile: Sendable {
    /// Where the file is.
    let path: String
    private let current: Mutex<JSONWebKeySet>

    /// Reads the file at `path`; the error names what is wrong with it.
    init(path: String) throws(JSONWebKeySetError) {
        self.path = path
        current = Mutex(try JSONWebKeySet.load(path: path))
    }

    /// The keys in use now.
    var keys: JSONWebKeySet { current.withLock { $0 } }

    /// Reads the file again and uses its keys from now on, giving how many signing keys it holds; when it cannot be used
    /// the keys stay as they were and the error says why.
    @discardableResult
    func reload() throws(JSONWebKeySetError) -> Int {
        let fresh = try JSONWebKeySet.load(path: path)
        current.withLock { $0 = fresh }
        return fresh.keys.count
    }
}

/// What re-reading one issuer's JWKS file came to, said in one line for the server's log.
struct KeyReload: Sendable {
    /// The issuer whose file it is.
    var issuer: String
    /// The file.
    var path: String
    /// How many signing keys are in use now, or why the new file was not used (and the old keys stay).
    var outcome: Result<Int, JSONWebKeySetError>

    /// The log line: what is in use now, or an error naming the file and what is wrong with it.
    var line: String {
        switch outcome {
        case .success(let count):
            return "casework serve: reloaded the JWKS file \(path) of issuer \(issuer): \(count) signing key\(count == 1 ? "" : "s")"
        case .failure(let error):
            return "casework serve: error: the JWKS file \(path) of issuer \(issuer) \(error.message); its keys from before stay in use"
        }
    }
}
