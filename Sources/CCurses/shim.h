// ncurses with wide characters (the Debian package libncurses-dev), and setlocale, which
// ncursesw needs before initscr to draw UTF-8.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

// Macros Swift cannot call.
static inline int weir_curses_lines(void) { return LINES; }
static inline int weir_curses_columns(void) { return COLS; }
static inline unsigned int weir_color_pair(short pair) { return (unsigned int)COLOR_PAIR(pair); }
static inline unsigned int weir_attribute_bold(void) { return A_BOLD; }
static inline unsigned int weir_attribute_reverse(void) { return A_REVERSE; }
static inline unsigned int weir_attribute_dim(void) { return A_DIM; }
static inline unsigned int weir_attribute_underline(void) { return A_UNDERLINE; }
static inline WINDOW *weir_standard_screen(void) { return stdscr; }
static inline mmask_t weir_wheel_up(void) { return BUTTON4_PRESSED; }
static inline mmask_t weir_wheel_down(void) { return BUTTON5_PRESSED; }
static inline mmask_t weir_button1_pressed(void) { return BUTTON1_PRESSED; }
