//! The interview prompt's slash commands in one table: what the prompt accepts (names and aliases) and the
//! `/help` list are both read from [`COMMANDS`].

use crate::interview::Command;

/// What a slash command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slash {
    /// A command for the interview itself.
    Interview(Command),
    /// Call the model endpoint again after viva switched it off (the shell's own command).
    RetryModel,
}

/// One slash command.
#[derive(Debug)]
pub struct SlashCommand {
    /// The name shown in the help, without the slash.
    pub name: &'static str,
    /// Other names accepted for it.
    pub aliases: &'static [&'static str],
    /// Only taken when alone on its line; other commands ignore words after them.
    pub alone: bool,
    /// What it asks for.
    pub action: Slash,
    /// Its line in the help.
    pub help: &'static str,
}

/// Every slash command, in help order.
pub const COMMANDS: &[SlashCommand] = &[
    interview(
        "skip",
        &["s", "next"],
        Command::Skip,
        "move to the next question",
    ),
    interview(
        "hint",
        &[],
        Command::Hint,
        "a hint on the gap your last answer showed (again: more direct)",
    ),
    interview(
        "repeat",
        &["r", "again"],
        Command::Repeat,
        "show the current question again",
    ),
    interview("score", &[], Command::Score, "your scores so far"),
    interview(
        "quit",
        &["q", "exit"],
        Command::Quit,
        "end the interview and save it (Ctrl-D too)",
    ),
    interview("help", &["h", "?"], Command::Help, "this list"),
    SlashCommand {
        name: "retry-model",
        aliases: &[],
        alone: true,
        action: Slash::RetryModel,
        help: "call the model endpoint again after viva switched it off",
    },
];

const fn interview(
    name: &'static str,
    aliases: &'static [&'static str],
    command: Command,
    help: &'static str,
) -> SlashCommand {
    SlashCommand {
        name,
        aliases,
        alone: false,
        action: Slash::Interview(command),
        help,
    }
}

/// Parse a line that starts with '/' (`None` otherwise). `Err` carries a message for an unknown command.
pub fn parse(line: &str) -> Option<Result<Slash, String>> {
    let t = line.trim();
    let word = t.strip_prefix('/')?;
    let word = word.split_whitespace().next().unwrap_or("").to_lowercase();
    let known = COMMANDS.iter().find(|c| {
        (c.name == word || c.aliases.contains(&word.as_str()))
            && (!c.alone || t.eq_ignore_ascii_case(&format!("/{}", c.name)))
    });
    Some(match known {
        Some(c) => Ok(c.action),
        None => Err(format!("unknown command '/{word}' (type /help)")),
    })
}

/// What Tab offers for the line up to the cursor: when it is a slash word being typed (and nothing else), every
/// command name (aliases are not offered) that starts with it, in table order. An answer completes to nothing.
pub fn completions(before_cursor: &str) -> Vec<String> {
    let Some(word) = before_cursor.trim_start().strip_prefix('/') else {
        return Vec::new();
    };
    if word.contains(char::is_whitespace) {
        return Vec::new();
    }
    let word = word.to_lowercase();
    COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(&word))
        .map(|c| format!("/{}", c.name))
        .collect()
}

/// The `/help` list.
pub fn help() -> String {
    let mut s = String::from("Type your answer; end it with an empty line.\n");
    for c in COMMANDS {
        let name = format!("/{}", c.name);
        s.push_str(&format!("  {name:<7}  {}\n", c.help));
    }
    s.push_str("Ctrl-C clears what you have typed.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        let cases = [
            ("/skip", Ok(Slash::Interview(Command::Skip))),
            ("  /NEXT please ", Ok(Slash::Interview(Command::Skip))),
            ("/r", Ok(Slash::Interview(Command::Repeat))),
            ("  /HINT ", Ok(Slash::Interview(Command::Hint))),
            ("/quit now", Ok(Slash::Interview(Command::Quit))),
            ("/?", Ok(Slash::Interview(Command::Help))),
            ("/exit", Ok(Slash::Interview(Command::Quit))),
            ("/Retry-Model ", Ok(Slash::RetryModel)),
            (
                "/retry-model now",
                Err("unknown command '/retry-model' (type /help)".into()),
            ),
            ("/", Err("unknown command '/' (type /help)".into())),
            (
                "/dance",
                Err("unknown command '/dance' (type /help)".into()),
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line), Some(want), "{line}");
        }
        assert_eq!(parse("skip"), None);
    }

    #[test]
    fn tab_completes_slash_words_only() {
        assert_eq!(completions("/sc"), ["/score"]);
        assert_eq!(completions("  /RE"), ["/repeat", "/retry-model"]);
        assert_eq!(completions("/").len(), COMMANDS.len());
        assert!(completions("/skip now").is_empty());
        assert!(completions("anchors /s").is_empty());
        assert!(completions("/zz").is_empty());
        assert!(completions("").is_empty());
    }

    #[test]
    fn the_help_list() {
        let want = "Type your answer; end it with an empty line.
  /skip    move to the next question
  /hint    a hint on the gap your last answer showed (again: more direct)
  /repeat  show the current question again
  /score   your scores so far
  /quit    end the interview and save it (Ctrl-D too)
  /help    this list
  /retry-model  call the model endpoint again after viva switched it off
Ctrl-C clears what you have typed.";
        assert_eq!(help(), want);
    }

    #[test]
    fn the_interview_help_names_every_interview_command() {
        use clap::CommandFactory;
        let mut cli = crate::cli::Cli::command();
        let help = cli
            .find_subcommand_mut("interview")
            .expect("interview subcommand")
            .render_long_help()
            .to_string();
        for c in COMMANDS.iter().filter(|c| !c.alone) {
            assert!(
                help.contains(&format!("/{} ", c.name)) || help.contains(&format!("/{}.", c.name)),
                "{}",
                c.name
            );
        }
    }
}
