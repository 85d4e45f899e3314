import Foundation
import TerminalKit
import Testing

@testable import SQLRuntime
@testable import StreamSQL
@testable import Workbench

/// `\tutorial` drawn and stepped without a broker: the box with the step's text, what to type
/// put in the input, a step passed by what was typed, skipping and stopping.
@Suite struct TutorialTests {
    let screens = WorkbenchScreenTests()

    @Test func theLessonShowsItsStepAndOffersTheInput() throws {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "\\tutorial\r")
        #expect(workbench.model.tutorial?.index == 0)
        #expect(workbench.model.editor.text == "\\demo payments 20 3")
        try screens.expectScreen(workbench, "tutorial-100x30", width: 100, height: 30)
        // Typed (here without a broker, so the demo itself fails): the step is done all the same.
        screens.type(workbench, "\r")
        #expect(workbench.model.tutorial?.index == 1)
        #expect(workbench.model.editor.text == Tutorial.table)
        #expect(workbench.model.messages.contains("✓ tutorial: data"))
        // The table: done once it exists.
        screens.type(workbench, "\r")
        #expect(workbench.model.tables == ["payments"])
        #expect(workbench.model.tutorial?.index == 2)
        #expect(workbench.model.editor.text == Tutorial.query)
        // Skipping a step, and the end.
        screens.type(workbench, "\u{03}")
        screens.type(workbench, "\\tutorial next\r")
        #expect(workbench.model.tutorial?.index == 3 && workbench.model.editor.text == "\\timeline")
        for _ in 0..<6 {
            screens.type(workbench, "\u{03}")
            screens.type(workbench, "\\tutorial next\r")
        }
        #expect(workbench.model.tutorial?.isFinished == true)
        #expect(workbench.model.tutorial?.shown.title == "Tutorial — done")
        screens.type(workbench, "\\tutorial stop\r")
        #expect(workbench.model.tutorial == nil)
    }

    @Test func aLateEventIsStampedBehindTheWatermark() {
        let progress = QueryProgress()
        progress.observe(.watermark(1_704_067_260_000_000)) // 2024-01-01 00:01:00
        let late = Tutorial.payment(progress.snapshot, offset: -30, partition: 0)
        #expect(
            late
                == #"\produce payment_msg:0 {"createTime": "2024-01-01 00:00:30", "orderId": 1, "payAmount": 99.5, "payPlatform": 0, "provinceId": 1}"#
        )
    }

    @Test func proseIsWrappedBetweenWords() {
        #expect(WorkbenchView.wordWrap("one two three four", to: 9) == ["one two", "three", "four"])
        #expect(WorkbenchView.wordWrap("abcdefghijkl x", to: 5) == ["abcd…", "x"])
    }
}
