import Testing

/// Every suite of this target, one after another: they start brokers, Python clients and a
/// fuzzer, and on a two-core machine they would otherwise crowd each other (and the other
/// targets' tests) into timeouts.
@Suite(.serialized) enum BrokerTests {}
