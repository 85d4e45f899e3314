import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// Flink's csv format options, and the fields of a line as they give them.
package struct CSVOptions {
    let delimiter: UInt8
    /// `csv.quote-character` (`"`), nil with `csv.disable-quote-character`.
    let quote: UInt8?
    /// `csv.escape-character`: the character after it is taken as it is (off by default).
    let escape: UInt8?
    /// `csv.null-literal`: a field of this text is NULL (off by default: an empty field is an empty string).
    let nullLiteral: String?
    /// `csv.allow-comments`: lines starting with `#` are skipped.
    let allowComments: Bool
    /// `csv.array-element-delimiter` (`;`): between the elements of an ARRAY column's field.
    let arrayDelimiter: String

    init(_ option: (String) -> String?) throws(SQLError) {
        func character(_ key: String, default value: String?) throws(SQLError) -> UInt8? {
            guard let text = option(key) ?? value else { return nil }
            guard text.utf8.count == 1 else { throw SQLError(.plan, "\(key) must be one character, not '\(text)'") }
            return text.utf8.first
        }
        delimiter = try character("csv.field-delimiter", default: ",")!
        quote =
            option("csv.disable-quote-character") == "true" ? nil : try character("csv.quote-character", default: "\"")
        escape = try character("csv.escape-character", default: nil)
        nullLiteral = option("csv.null-literal")
        allowComments = option("csv.allow-comments") == "true"
        arrayDelimiter = option("csv.array-element-delimiter") ?? ";"
        for key in ["csv.disable-quote-character", "csv.allow-comments", "csv.ignore-parse-errors"] {
            if let value = option(key), !["true", "false"].contains(value.lowercased()) {
                throw SQLError(.plan, "\(key) is 'true' or 'false', not '\(value)'")
            }
        }
    }

    /// The fields of the line `bytes[start..<end]`, unquoted and unescaped (nil: the null literal).
    func fields(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(SQLError) -> [String?] {
        var fields: [String?] = []
        var index = start
        while index <= end {
            var field: [UInt8] = []
            if let quote, index < end, bytes[index] == quote {
                index += 1
                while true {
                    guard index < end else { throw SQLError(.execution, "a quoted CSV field is never closed") }
                    if let escape, bytes[index] == escape, index + 1 < end {
                        field.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    if bytes[index] == quote {
                        if index + 1 < end, bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    field.append(bytes[index])
                    index += 1
                }
                guard index == end || bytes[index] == delimiter else {
                    throw SQLError(.execution, "text after a quoted CSV field")
                }
            } else {
                while index < end, bytes[index] != delimiter {
                    if let escape, bytes[index] == escape, index + 1 < end {
                        field.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    field.append(bytes[index])
                    index += 1
                }
            }
            let text = String(decoding: field, as: UTF8.self)
            fields.append(text == nullLiteral ? nil : text)
            index += 1
        }
        return fields
    }
}
