/// What a row of a changelog does (Flink's RowKind): insert, the old and new value of an
/// update, delete.
public enum RowKind: String, Sendable {
    case insert = "+I", updateBefore = "-U", updateAfter = "+U", delete = "-D"
}
