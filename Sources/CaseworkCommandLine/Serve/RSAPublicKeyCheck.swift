import CCrypto

/// Whether an RSA public key's numbers make a key no one but its owner can sign with, decided the same way every
/// time: the checks of NIST SP 800-56B rev. 2, 6.4.2.1 (partial public-key validation), with the Miller–Rabin step
/// run on fixed bases.
///
/// libcrypto's own check (`EVP_PKEY_public_check`) runs that step on random bases, so a modulus the fuzzer made was
/// kept on one read of a JWKS file and refused on the next (7 refusals in 2,000 checks of one modulus): what the server
/// trusts would have depended on when it looked. The enhanced Miller–Rabin test (FIPS 186-4, C.3.2) on a fixed base
/// still proves what matters, whichever base is used: a modulus it finds composite and not a prime power is not
/// prime and not a prime's power, the moduli whose private key anyone could work out.
enum RSAPublicKeyCheck {
    /// Why the numbers are refused; `description` is said after the key's name.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The modulus is even, so it has the factor 2.
        case evenModulus
        /// The modulus is under ``minimumModulusBits``: short enough to factor.
        case modulusTooShort
        /// The modulus is over ``maximumModulusBits``.
        case modulusTooLong
        /// The exponent is even or 1.
        case unusableExponent
        /// The exponent is not below the modulus.
        case exponentNotBelowModulus
        /// The modulus has a prime factor under ``smallFactorBound``.
        case smallFactor
        /// Every fixed base says the modulus is prime.
        case probablyPrime
        /// A base revealed a factor of the modulus, or the modulus is a prime's power.
        case factorFound
        /// libcrypto could not hold the numbers (it ran out of memory), so nothing was proved.
        case notChecked

        var description: String {
            switch self {
            case .evenModulus: "its modulus 'n' is even"
            case .modulusTooShort: "its modulus 'n' is under \(RSAPublicKeyCheck.minimumModulusBits) bits"
            case .modulusTooLong: "its modulus 'n' is over \(RSAPublicKeyCheck.maximumModulusBits) bits, more than any provider signs with"
            case .unusableExponent: "its exponent 'e' is even or 1"
            case .exponentNotBelowModulus: "its exponent 'e' is not below its modulus"
            case .smallFactor: "its modulus 'n' has a prime factor under \(RSAPublicKeyCheck.smallFactorBound)"
            case .probablyPrime: "its modulus 'n' is prime"
            case .factorFound: "a factor of its modulus 'n' is easily found (or 'n' is a prime's power)"
            case .notChecked: "libcrypto could not hold its numbers to check them"
            }
        }
    }

    /// The shortest modulus kept: 2048 bits, the least NIST allows for signatures today.
    static let minimumModulusBits: Int32 = 2048

    /// The longest modulus kept: 8,192 bits. No identity provider signs with a longer key (2,048 to 4,096 is usual),
    /// and each doubling costs about eight times the work in every check, this one's included; Go's TLS refuses
    /// longer RSA keys for that reason (CVE-2023-29409). libcrypto itself verifies up to 16,384.
    static let maximumModulusBits: Int32 = 8_192

    /// SP 800-56B's bound for the trial division: no prime factor below it.
    static let smallFactorBound = 752

    /// The Miller–Rabin bases, tried in order: the first twenty primes. A composite modulus that every one of them
    /// takes for a prime is refused as prime, the safe side.
    static let bases: [UInt] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]

    /// Nil when the big-endian `modulus` and `exponent` pass every check, else the first reason they do not.
    static func refusal(modulus: [UInt8], exponent: [UInt8]) -> Refusal? {
        guard let context = BN_CTX_new() else { return .notChecked }
        defer {
            BN_CTX_free(context)
            ERR_clear_error()
        }
        guard let n = number(modulus) else { return .notChecked }
        defer { BN_free(n) }
        guard let e = number(exponent) else { return .notChecked }
        defer { BN_free(e) }
        guard BN_is_odd(n) == 1 else { return .evenModulus }
        guard BN_num_bits(n) >= minimumModulusBits else { return .modulusTooShort }
        guard BN_num_bits(n) <= maximumModulusBits else { return .modulusTooLong }
        guard BN_is_odd(e) == 1, BN_is_one(e) == 0 else { return .unusableExponent }
        guard BN_cmp(e, n) < 0 else { return .exponentNotBelowModulus }
        return smallFactor(of: n, context) ?? millerRabin(n, context)
    }

    /// A libcrypto number holding the big-endian `bytes`, or nil; the caller frees it.
    private static func number(_ bytes: [UInt8]) -> OpaquePointer? {
        bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
    }

    /// Nil when `n` shares no factor with the product of the odd primes below ``smallFactorBound``.
    private static func smallFactor(of n: OpaquePointer, _ context: OpaquePointer) -> Refusal? {
        BN_CTX_start(context)
        defer { BN_CTX_end(context) }
        guard let product = BN_CTX_get(context), let divisor = BN_CTX_get(context), BN_set_word(product, 1) == 1 else { return .notChecked }
        var composite = [Bool](repeating: false, count: smallFactorBound)
        for candidate in 2..<smallFactorBound where !composite[candidate] {
            for multiple in stride(from: candidate * candidate, to: smallFactorBound, by: candidate) { composite[multiple] = true }
            guard candidate == 2 || BN_mul_word(product, UInt(candidate)) == 1 else { return .notChecked }
        }
        guard BN_gcd(divisor, n, product, context) == 1 else { return .notChecked }
        return BN_is_one(divisor) == 1 ? nil : .smallFactor
    }

    /// FIPS 186-4, C.3.2, on ``bases`` in order: the first base that proves `n` composite decides (nil when it also
    /// shows `n` is not a prime power, ``Refusal/factorFound`` when it finds a factor); ``Refusal/probablyPrime`` when
    /// none does. `n` is odd, of at least ``minimumModulusBits`` and has no factor shared with any base.
    private static func millerRabin(_ n: OpaquePointer, _ context: OpaquePointer) -> Refusal? {
        BN_CTX_start(context)
        defer { BN_CTX_end(context) }
        guard let nMinusOne = BN_CTX_get(context), let m = BN_CTX_get(context), let base = BN_CTX_get(context),
              let z = BN_CTX_get(context), let x = BN_CTX_get(context), let divisor = BN_CTX_get(context),
              BN_copy(nMinusOne, n) != nil, BN_sub_word(nMinusOne, 1) == 1
        else { return .notChecked }
        var a: Int32 = 1
        while BN_is_bit_set(nMinusOne, a) == 0 { a += 1 }
        guard BN_rshift(m, nMinusOne, a) == 1 else { return .notChecked }
        for word in bases {
            guard BN_set_word(base, word) == 1, BN_mod_exp(z, base, m, n, context) == 1 else { return .notChecked }
            if BN_is_one(z) == 1 || BN_cmp(z, nMinusOne) == 0 { continue }
            var rootOfOne = false
            var squares: Int32 = 1
            while squares < a {
                guard BN_copy(x, z) != nil, BN_mod_sqr(z, x, n, context) == 1 else { return .notChecked }
                if BN_cmp(z, nMinusOne) == 0 { break }
                if BN_is_one(z) == 1 {
                    rootOfOne = true
                    break
                }
                squares += 1
            }
            if squares < a && !rootOfOne { continue }
            if !rootOfOne {
                guard BN_copy(x, z) != nil, BN_mod_sqr(z, x, n, context) == 1 else { return .notChecked }
                if BN_is_one(z) == 0 && BN_copy(x, z) == nil { return .notChecked }
            }
            guard BN_sub_word(x, 1) == 1, BN_gcd(divisor, x, n, context) == 1 else { return .notChecked }
            return BN_is_one(divisor) == 1 ? nil : .factorFound
        }
        return .probablyPrime
    }
}
