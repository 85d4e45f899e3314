import Foundation
import SCRAM
import Testing
import WeirTestSupport

@testable import KafkaClient

/// SCRAM on its own, against RFC 7677's worked example.
@Suite struct SCRAMTests {
    /// RFC 7677 section 3: user "user", password "pencil", SCRAM-SHA-256.
    @Test func theRFCsExampleConversation() throws {
        var scram = SCRAMClient(
            hash: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: scram.firstMessage(), as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let final = try scram.finalMessage(answering: Array(serverFirst.utf8))
        #expect(
            String(decoding: final, as: UTF8.self)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        try scram.verify(serverFinal: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        #expect(throws: SCRAMError.serverSignatureMismatch) {
            try scram.verify(serverFinal: Array("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        }
    }

    @Test func aServerThatDoesNotExtendTheNonceOrSkimpsOnIterationsIsRefused() {
        var scram = SCRAMClient(hash: .sha512, username: "user", password: "pencil", clientNonce: "abc")
        _ = scram.firstMessage()
        #expect(throws: SCRAMError.self) { try scram.finalMessage(answering: Array("r=xyz123,s=QUJD,i=4096".utf8)) }
        #expect(throws: SCRAMError.self) { try scram.finalMessage(answering: Array("r=abc123,s=QUJD,i=1000".utf8)) }
        #expect(throws: SCRAMError.refused("invalid-proof")) {
            try scram.verify(serverFinal: Array("e=invalid-proof".utf8))
        }
    }

    @Test func namesAreEscaped() {
        #expect(SCRAMHash.escaped("a=b,c") == "a=3Db=2Cc")
    }
}

/// TLS and SASL against servers nobody here wrote: OpenSSL (socat) terminating TLS,
/// and `scramp` checking SCRAM proofs in a SASL gateway, both in front of Tansu.
/// librdkafka goes through the same doors first, which shows they are sound.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct SecurityTests {
    /// Creates the topic, writes three values with Weir and reads them back.
    static func weirRoundTrip(_ config: ClientConfig, topic: String) async throws -> [String] {
        let cluster = try KafkaCluster(config: config)
        try await KafkaAdmin(cluster: cluster).createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(cluster: cluster)
        for index in 0..<3 {
            _ = try await producer.send(ProducerRecord(topic: topic, value: Array("weir-\(index)".utf8)))
        }
        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: topic, from: .earliest)
        var values: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while values.count < 3, Date() < deadline {
            values += try await consumer.poll().map { String(decoding: $0.value ?? [], as: UTF8.self) }
        }
        await cluster.close()
        return values
    }

    static func librdkafkaRoundTrip(
        _ bootstrap: String, topic: String, _ properties: [String: String]
    ) throws -> [String] {
        let output = try TansuBroker.runPeer(
            "librdkafka_peer.py", ["roundtrip", bootstrap, topic] + properties.map { "\($0.key)=\($0.value)" })
        return output.first?["values"] as? [String] ?? []
    }

    /// Connecting fails at once with an error that `check` accepts; refusals of settings or
    /// credentials are not retriable.
    static func expectRefusal(_ config: ClientConfig, where check: (KafkaClientError) -> Bool) async {
        let started = Date()
        do {
            let cluster = try KafkaCluster(config: config)
            _ = try await KafkaAdmin(cluster: cluster).listTopics()
            Issue.record("connecting succeeded")
        } catch let error as KafkaClientError {
            #expect(check(error), "\(error)")
            if error.isRefusal { #expect(!error.isRetriable) }
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(Date().timeIntervalSince(started) < 5, "a refusal is reported at once, not after retries")
    }

    @Test(arguments: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    func sasl(mechanism: String) async throws {
        let brokerPort = try TansuBroker.freePort(), gatewayPort = try TansuBroker.freePort()
        let broker = try TansuBroker(port: brokerPort, advertisedPort: gatewayPort)
        let gateway = try SASLGateway(
            port: gatewayPort, targetPort: brokerPort, users: ["alice": "s3cret=,x", "bob": "other"])
        let bootstrap = "127.0.0.1:\(gateway.port)"
        let settings = [
            "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": mechanism,
            "sasl.username": "alice", "sasl.password": "s3cret=,x",
        ]
        #expect(
            try Self.librdkafkaRoundTrip(bootstrap, topic: "by-librdkafka", settings) == [
                "librdkafka-0", "librdkafka-1", "librdkafka-2",
            ])

        var config = ClientConfig(
            settings.merging(["bootstrap.servers": bootstrap, "request.timeout.ms": "5000"]) { $1 })
        #expect(try await Self.weirRoundTrip(config, topic: "by-weir") == ["weir-0", "weir-1", "weir-2"])

        config["sasl.password"] = "wrong"
        await Self.expectRefusal(config) { if case .authenticationFailed = $0 { true } else { false } }
        _ = broker
    }

    @Test func tlsWithTheCAItTrusts() async throws {
        let certificates = try TestCertificates(serverNames: ["DNS:localhost", "IP:127.0.0.1"])
        let brokerPort = try TansuBroker.freePort(), tlsPort = try TansuBroker.freePort()
        let broker = try TansuBroker(port: brokerPort, advertisedPort: tlsPort)
        let terminator = try TLSTerminator(port: tlsPort, targetPort: brokerPort, certificates: certificates)
        let bootstrap = "127.0.0.1:\(terminator.port)"
        let settings = ["security.protocol": "SSL", "ssl.ca.location": certificates.ca]
        #expect(try Self.librdkafkaRoundTrip(bootstrap, topic: "by-librdkafka", settings).count == 3)
        var config = ClientConfig(
            settings.merging(["bootstrap.servers": bootstrap, "request.timeout.ms": "5000"]) { $1 })
        #expect(try await Self.weirRoundTrip(config, topic: "by-weir") == ["weir-0", "weir-1", "weir-2"])

        // Without the CA the certificate is not trusted; plaintext against TLS is not Kafka.
        config["ssl.ca.location"] = nil
        await Self.expectRefusal(config) { if case .tlsFailed = $0 { true } else { false } }
        await Self.expectRefusal(
            ClientConfig([
                "bootstrap.servers": bootstrap, "request.timeout.ms": "2000",
                "socket.connection.setup.timeout.ms": "1000",
            ])
        ) { "\($0)".contains("security.protocol") }
        _ = broker
    }

    @Test func theCertificateMustNameTheBrokerUnlessToldOtherwise() async throws {
        let certificates = try TestCertificates(serverNames: ["DNS:broker.example.com"])
        let brokerPort = try TansuBroker.freePort(), tlsPort = try TansuBroker.freePort()
        let broker = try TansuBroker(port: brokerPort, advertisedPort: tlsPort)
        let terminator = try TLSTerminator(port: tlsPort, targetPort: brokerPort, certificates: certificates)
        var config = ClientConfig([
            "bootstrap.servers": "127.0.0.1:\(terminator.port)", "security.protocol": "SSL",
            "ssl.ca.location": certificates.ca, "request.timeout.ms": "5000",
        ])
        await Self.expectRefusal(config) {
            if case let .tlsFailed(_, reason) = $0 { reason.contains("not for this host") } else { false }
        }
        config["ssl.endpoint.identification.algorithm"] = "none"
        #expect(try await Self.weirRoundTrip(config, topic: "unnamed") == ["weir-0", "weir-1", "weir-2"])
        _ = broker
    }

    @Test func mutualTLSWithAClientCertificate() async throws {
        let certificates = try TestCertificates(serverNames: ["IP:127.0.0.1"])
        let brokerPort = try TansuBroker.freePort(), tlsPort = try TansuBroker.freePort()
        let broker = try TansuBroker(port: brokerPort, advertisedPort: tlsPort)
        let terminator = try TLSTerminator(
            port: tlsPort, targetPort: brokerPort, certificates: certificates, requireClientCertificate: true)
        var config = ClientConfig([
            "bootstrap.servers": "127.0.0.1:\(terminator.port)", "security.protocol": "SSL",
            "ssl.ca.location": certificates.ca, "request.timeout.ms": "5000",
            "socket.connection.setup.timeout.ms": "2000",
        ])
        await Self.expectRefusal(config) { _ in true }
        config["ssl.certificate.location"] = certificates.clientCertificate
        config["ssl.key.location"] = certificates.clientKey
        #expect(try await Self.weirRoundTrip(config, topic: "mutual") == ["weir-0", "weir-1", "weir-2"])
        _ = broker
    }

    @Test func saslOverTLS() async throws {
        let certificates = try TestCertificates(serverNames: ["IP:127.0.0.1"])
        let brokerPort = try TansuBroker.freePort(), gatewayPort = try TansuBroker.freePort(),
            tlsPort = try TansuBroker.freePort()
        let broker = try TansuBroker(port: brokerPort, advertisedPort: tlsPort)
        let gateway = try SASLGateway(port: gatewayPort, targetPort: brokerPort, users: ["alice": "pw"])
        let terminator = try TLSTerminator(port: tlsPort, targetPort: gateway.port, certificates: certificates)
        let config = ClientConfig([
            "bootstrap.servers": "127.0.0.1:\(terminator.port)", "security.protocol": "SASL_SSL",
            "ssl.ca.location": certificates.ca, "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": "alice", "sasl.password": "pw", "request.timeout.ms": "5000",
        ])
        #expect(try await Self.weirRoundTrip(config, topic: "both") == ["weir-0", "weir-1", "weir-2"])
        _ = broker
    }

    @Test func securitySettingsAreCheckedUpFront() {
        #expect(throws: KafkaClientError.self) {
            try SecuritySettings(config: ClientConfig(["security.protocol": "KERBEROS"]))
        }
        #expect(throws: KafkaClientError.self) {
            try SecuritySettings(
                config: ClientConfig([
                    "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI",
                    "sasl.username": "a", "sasl.password": "b",
                ]))
        }
        #expect(throws: KafkaClientError.self) {
            try SecuritySettings(config: ClientConfig(["security.protocol": "SASL_SSL"]))
        }
        #expect(throws: KafkaClientError.self) {
            try SecuritySettings(
                config: ClientConfig(["security.protocol": "SSL", "ssl.truststore.location": "x.jks"]))
        }
    }
}
