import KafkaProtocol
import SCRAM

/// SaslHandshake and SaslAuthenticate: PLAIN and SCRAM-SHA-256/512 against the configured
/// users. Until a connection has authenticated, it is served only ApiVersions and these
/// (the router closes it for anything else). SaslHandshake v1 is required: with v0 the
/// tokens would follow unframed, which this broker does not read.
extension Broker {
    static let saslMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    static func deriveCredentials(_ users: [String: String]) throws -> [SCRAMHash: [String: SCRAMServer.Credential]] {
        var credentials: [SCRAMHash: [String: SCRAMServer.Credential]] = [:]
        for hash in SCRAMHash.allCases {
            for (user, password) in users {
                credentials[hash, default: [:]][user] = try SCRAMServer.Credential(password: password, hash: hash)
            }
        }
        return credentials
    }

    func saslHandshake(_ request: SaslHandshakeRequest, session: Session) -> SaslHandshakeResponse {
        let offered = config.users.isEmpty ? [] : Self.saslMechanisms
        guard offered.contains(request.mechanism) else {
            return SaslHandshakeResponse(errorCode: ErrorCode.unsupportedSaslMechanism.code, mechanisms: offered)
        }
        session.saslMechanism = request.mechanism
        if let hash = SCRAMHash(rawValue: request.mechanism) {
            let users = scramCredentials[hash] ?? [:]
            session.scram = SCRAMServer(hash: hash) { users[$0] }
        }
        return SaslHandshakeResponse(mechanisms: offered)
    }

    func saslAuthenticate(_ request: SaslAuthenticateRequest, session: Session) -> SaslAuthenticateResponse {
        func refuse(_ reason: String) -> SaslAuthenticateResponse {
            logger.info("authentication failed for a client at \(session.clientHost): \(reason)")
            session.scram = nil
            return SaslAuthenticateResponse(
                errorCode: ErrorCode.saslAuthenticationFailed.code,
                errorMessage: "Authentication failed: \(reason)")
        }
        switch session.saslMechanism {
        case "PLAIN":
            // RFC 4616: authorization identity, user, password, separated by NUL.
            let parts = request.authBytes.split(separator: 0, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return refuse("malformed PLAIN message") }
            let user = String(decoding: parts[1], as: UTF8.self), password = String(decoding: parts[2], as: UTF8.self)
            guard let expected = config.users[user], expected == password else {
                return refuse("invalid username or password")
            }
            session.authenticated = true
            return SaslAuthenticateResponse()
        case let mechanism? where mechanism.hasPrefix("SCRAM-"):
            guard var scram = session.scram else { return refuse("no SCRAM exchange under way") }
            do {
                let first = scram.user == nil && !session.scramStarted
                let reply =
                    first
                    ? try scram.respond(toFirst: request.authBytes) : try scram.respond(toFinal: request.authBytes)
                session.scram = scram
                session.scramStarted = true
                if scram.user != nil { session.authenticated = true }
                return SaslAuthenticateResponse(authBytes: reply)
            } catch .refused {
                // An unknown user and a wrong password look the same from outside.
                return refuse("invalid username or password")
            } catch {
                return refuse("\(error)")
            }
        default:
            return refuse("SaslAuthenticate before SaslHandshake")
        }
    }
}
