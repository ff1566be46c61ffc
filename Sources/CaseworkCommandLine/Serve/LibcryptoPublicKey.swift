import CCrypto

/// libcrypto's public key (`EVP_PKEY`) for one JWKS key, built once when the key is read and freed when the last copy
/// of the key lets it go, so a bearer token's check does not build it again from the key's numbers (12–25 µs a
/// token, `casework-bench bearer-keys`).
///
/// `@unchecked Sendable`: the pointer is set once, in `init`, and never changed; the key is only ever given to
/// `EVP_DigestVerifyInit`, which makes a context of its own for each check and takes a reference to the key under
/// libcrypto's own lock, without changing the key. openssl-threads(7) allows exactly this: objects are thread-safe
/// as long as the calls made on them do not modify them, and two threads may each use the same key through an
/// `EVP_PKEY_CTX` of their own. `JSONWebKeyConcurrencyTests` checks one key from many threads at once.
final class LibcryptoPublicKey: @unchecked Sendable {
    /// The key, owned: freed in `deinit`.
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`, a key made by `EVP_PKEY_fromdata`.
    init(adopting pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }
}
