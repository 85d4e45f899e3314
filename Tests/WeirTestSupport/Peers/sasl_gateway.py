#!/usr/bin/env python3
"""A SASL front door for a Kafka broker that has none (Tansu 0.6's SASL offers no mechanism).

  sasl_gateway.py LISTEN_PORT BROKER_PORT USER:PASSWORD...

Listens on 127.0.0.1:LISTEN_PORT. Before a client authenticates it answers only
ApiVersions (relayed from the broker), SaslHandshake and SaslAuthenticate, with
PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 enabled. The SCRAM server side is the
third-party `scramp` library (the one pg8000 uses), so a client's proofs are checked
by code nobody here wrote; librdkafka authenticating through this gateway is the
check on the framing. After success the connection is piped to the broker as is.
Prints "ready" once listening.
"""
import asyncio
import struct
import sys

import scramp

API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE = 58, 33, 34
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


def parse_users(arguments):
    users = dict(argument.split(":", 1) for argument in arguments)
    credentials = {}
    for name in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        mechanism = scramp.ScramMechanism(name)
        credentials[name] = {user: mechanism.make_auth_info(password, iteration_count=4096) for user, password in users.items()}
    return users, credentials


async def read_frame(reader):
    size = struct.unpack(">i", await reader.readexactly(4))[0]
    return await reader.readexactly(size)


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def request_body(frame):
    """(api key, version, correlation id, body bytes) of a request frame."""
    api_key, version, correlation = struct.unpack(">hhi", frame[:8])
    client_id_length = struct.unpack(">h", frame[8:10])[0]
    at = 10 + max(client_id_length, 0)
    flexible = (api_key == SASL_AUTHENTICATE and version >= 2) or (api_key == API_VERSIONS and version >= 3)
    if flexible:  # request header v2 ends with tagged fields
        count, at = read_varint(frame, at)
        for _ in range(count):
            _, at = read_varint(frame, at)
            size, at = read_varint(frame, at)
            at += size
    return api_key, version, correlation, frame[at:]


def handshake_response(correlation, error, mechanisms):
    body = struct.pack(">hi", error, len(mechanisms))
    for name in mechanisms:
        body += struct.pack(">h", len(name)) + name.encode()
    return struct.pack(">i", correlation) + body


def authenticate_response(correlation, version, error, message, auth_bytes):
    if version >= 2:  # flexible: response header v1, compact fields, tagged fields
        header = struct.pack(">i", correlation) + b"\x00"
        text = b"\x00" if message is None else varint(len(message.encode()) + 1) + message.encode()
        body = struct.pack(">h", error) + text + varint(len(auth_bytes) + 1) + auth_bytes + struct.pack(">q", 0) + b"\x00"
        return header + body
    text = struct.pack(">h", -1) if message is None else struct.pack(">h", len(message.encode())) + message.encode()
    body = struct.pack(">h", error) + text + struct.pack(">i", len(auth_bytes)) + auth_bytes
    if version >= 1:
        body += struct.pack(">q", 0)
    return struct.pack(">i", correlation) + body


def authenticate_request_bytes(version, body):
    if version >= 2:
        length, at = read_varint(body, 0)
        return body[at:at + length - 1]
    length = struct.unpack(">i", body[:4])[0]
    return body[4:4 + length]


class Session:
    """One client connection's SASL state."""

    def __init__(self, users, credentials):
        self.users, self.credentials = users, credentials
        self.mechanism, self.scram = None, None

    def handshake(self, body):
        length = struct.unpack(">h", body[:2])[0]
        name = body[2:2 + length].decode()
        if name not in MECHANISMS:
            return UNSUPPORTED_SASL_MECHANISM
        self.mechanism = name
        if name.startswith("SCRAM"):
            self.scram = scramp.ScramMechanism(name).make_server(lambda user: self.credentials[name][user])
        return 0

    def step(self, token):
        """(error, message, reply bytes, done)"""
        if self.mechanism == "PLAIN":
            _, user, password = token.split(b"\x00", 2)
            if self.users.get(user.decode()) == password.decode():
                return 0, None, b"", True
            return SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid username or password", b"", True
        if self.scram is None:
            return ILLEGAL_SASL_STATE, "SaslAuthenticate before SaslHandshake", b"", True
        try:
            if self.scram.stage is None:
                self.scram.set_client_first(token.decode())
                return 0, None, self.scram.get_server_first().encode(), False
            self.scram.set_client_final(token.decode())
            return 0, None, self.scram.get_server_final().encode(), True
        except (scramp.ScramException, KeyError) as error:
            return SASL_AUTHENTICATION_FAILED, f"Authentication failed during authentication due to invalid credentials with SASL mechanism {self.mechanism}: {error}", b"", True


async def pipe(source, sink):
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        sink.close()


async def serve(client_reader, client_writer, broker_port, users, credentials):
    broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", broker_port)
    session = Session(users, credentials)
    try:
        while True:
            frame = await read_frame(client_reader)
            api_key, version, correlation, body = request_body(frame)
            if api_key == API_VERSIONS:
                broker_writer.write(struct.pack(">i", len(frame)) + frame)
                await broker_writer.drain()
                answer = await read_frame(broker_reader)
            elif api_key == SASL_HANDSHAKE:
                error = session.handshake(body)
                answer = handshake_response(correlation, error, MECHANISMS)
            elif api_key == SASL_AUTHENTICATE:
                error, message, reply, done = session.step(authenticate_request_bytes(version, body))
                answer = authenticate_response(correlation, version, error, message, reply)
                client_writer.write(struct.pack(">i", len(answer)) + answer)
                await client_writer.drain()
                if error:
                    break
                if done:
                    await asyncio.gather(pipe(client_reader, broker_writer), pipe(broker_reader, client_writer))
                    return
                continue
            else:
                break  # anything else before authentication: drop the connection, as Kafka does
            client_writer.write(struct.pack(">i", len(answer)) + answer)
            await client_writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    client_writer.close()
    broker_writer.close()


async def main():
    listen_port, broker_port = int(sys.argv[1]), int(sys.argv[2])
    users, credentials = parse_users(sys.argv[3:])
    server = await asyncio.start_server(lambda r, w: serve(r, w, broker_port, users, credentials), "127.0.0.1", listen_port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
