// GNU readline and its history (the Debian package libreadline-dev). readline.h needs
// stdio.h first.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <langinfo.h>
#include <readline/readline.h>
#include <readline/history.h>

// Readline's state lives in C globals, which Swift 6 will not touch directly: these read
// and set them (always under the workbench's readline lock).
static inline const char *weir_rl_buffer(void) { return rl_line_buffer; }
static inline int weir_rl_end(void) { return rl_end; }
static inline int weir_rl_point(void) { return rl_point; }
static inline void weir_rl_set_point(int point) { rl_point = point < 0 ? 0 : point > rl_end ? rl_end : point; }
static inline const char *weir_rl_prompt(void) { return rl_display_prompt ? rl_display_prompt : ""; }
static inline int weir_rl_vi_editing(void) { return rl_editing_mode == 0; }
static inline int weir_rl_vi_command_mode(void) {
    return rl_editing_mode == 0 && rl_get_keymap() == vi_movement_keymap;
}
static inline int weir_rl_in_search(void) {
    return RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0;
}
// The line being written while Up walks the history (readline's rlprivate.h; exported).
extern HIST_ENTRY *_rl_saved_line_for_history;
static inline const char *weir_rl_draft(void) {
    return _rl_saved_line_for_history ? _rl_saved_line_for_history->line : NULL;
}
static inline void weir_rl_completion_over(void) { rl_attempted_completion_over = 1; }

// Readline handles UTF-8 (a character of several bytes) only in a UTF-8 locale.
static inline void weir_rl_use_utf8(void) {
    setlocale(LC_CTYPE, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
}

static void weir_rl_draw_nothing(void) {}
static void weir_rl_prep_nothing(int meta) { (void)meta; }
static void weir_rl_list_nothing(char **matches, int count, int longest) { (void)matches; (void)count; (void)longest; }

// Readline without a terminal: it reads keys from `read_byte`, asks `more_bytes` whether
// more bytes follow an Esc, hands Tab to `complete`, and never sets terminal modes, catches
// signals, draws, rings or lists matches. Then it reads the init file.
static inline void weir_rl_configure(rl_getc_func_t *read_byte, rl_hook_func_t *more_bytes,
                                     rl_completion_func_t *complete, const char *word_breaks) {
    rl_readline_name = "weir";
    rl_getc_function = read_byte;
    rl_input_available_hook = more_bytes;
    rl_redisplay_function = weir_rl_draw_nothing;
    rl_prep_term_function = weir_rl_prep_nothing;
    rl_deprep_term_function = weir_rl_draw_nothing;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_instream = fopen("/dev/null", "r");
    rl_outstream = fopen("/dev/null", "w");
    rl_completer_word_break_characters = strdup(word_breaks);
    rl_attempted_completion_function = complete;
    rl_completion_display_matches_hook = weir_rl_list_nothing;
    rl_initialize();
    using_history();
}
