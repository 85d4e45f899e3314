import Foundation

/// The server's side of a SCRAM exchange (RFC 5802): checks the client's proof against the
/// stored key and answers with the server signature. A plain value for one connection.
public struct SCRAMServer: Sendable {
    /// A user as the server keeps it: never the password itself.
    public struct Credential: Sendable {
        public var salt: [UInt8]
        public var iterations: Int
        public var storedKey: [UInt8]
        public var serverKey: [UInt8]

        /// Derives a credential from a password, with a fresh salt.
        public init(password: String, hash: SCRAMHash, iterations: Int = 4096) throws(SCRAMError) {
            salt = SCRAMHash.randomSalt()
            self.iterations = iterations
            let keys = try hash.keys(password: password, salt: salt, iterations: iterations)
            storedKey = keys.storedKey
            serverKey = keys.serverKey
        }
    }

    public let hash: SCRAMHash
    private let lookup: @Sendable (String) -> Credential?
    private var state:
        (user: String, credential: Credential, clientFirstBare: String, serverFirst: String, nonce: String)?
    /// The authenticated user, once the proof checked out.
    public private(set) var user: String?

    public init(hash: SCRAMHash, lookup: @escaping @Sendable (String) -> Credential?) {
        self.hash = hash
        self.lookup = lookup
    }

    /// Answers the client-first message with the server-first message.
    public mutating func respond(toFirst message: [UInt8]) throws(SCRAMError) -> [UInt8] {
        let text = String(decoding: message, as: UTF8.self)
        // gs2 header: "n,," (no channel binding) or "y,,"; an authorization identity is not supported.
        guard text.hasPrefix("n,,") || text.hasPrefix("y,,") else {
            throw .malformed("unsupported gs2 header in '\(text)'")
        }
        let bare = String(text.dropFirst(3))
        let attributes = SCRAMHash.attributes(bare)
        guard let name = attributes["n"], let clientNonce = attributes["r"], !clientNonce.isEmpty else {
            throw .malformed("client-first message lacks n or r")
        }
        let user = SCRAMHash.unescaped(name)
        guard let credential = lookup(user) else { throw .refused("unknown user") }
        let nonce = clientNonce + SCRAMHash.randomNonce()
        let serverFirst = "r=\(nonce),s=\(Data(credential.salt).base64EncodedString()),i=\(credential.iterations)"
        state = (user, credential, bare, serverFirst, nonce)
        return Array(serverFirst.utf8)
    }

    /// Checks the client-final message's proof; answers with the server-final message.
    public mutating func respond(toFinal message: [UInt8]) throws(SCRAMError) -> [UInt8] {
        guard let state else { throw .malformed("client-final before client-first") }
        let text = String(decoding: message, as: UTF8.self)
        let attributes = SCRAMHash.attributes(text)
        guard attributes["c"] == "biws" || attributes["c"] == "eSws", attributes["r"] == state.nonce,
            let proofText = attributes["p"], let proof = Data(base64Encoded: proofText), proof.count == hash.byteCount,
            let proofStart = text.range(of: ",p=")
        else {
            throw .malformed("client-final message is not the answer to this exchange")
        }
        let withoutProof = String(text[..<proofStart.lowerBound])
        let authMessage = Array("\(state.clientFirstBare),\(state.serverFirst),\(withoutProof)".utf8)
        let clientSignature = hash.hmac(key: state.credential.storedKey, authMessage)
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard hash.digest(clientKey) == state.credential.storedKey else { throw .refused("invalid-proof") }
        user = state.user
        let signature = hash.hmac(key: state.credential.serverKey, authMessage)
        return Array("v=\(Data(signature).base64EncodedString())".utf8)
    }
}
