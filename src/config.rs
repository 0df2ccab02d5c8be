//! Lasting settings from `config.toml`, with the origin of each value so
//! that `mastery config` can say where it came from.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diag, Error, Result};

pub const CONFIG_VAR: &str = "MASTERY_CONFIG";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(String),
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => write!(f, "default"),
            Origin::File(p) => write!(f, "{p}"),
            Origin::Flag(name) => write!(f, "flag {name}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting {
            value,
            origin: Origin::Default,
        }
    }

    pub fn set_by_flag(&mut self, value: Option<T>, flag: &'static str) {
        if let Some(v) = value {
            *self = Setting {
                value: v,
                origin: Origin::Flag(flag),
            };
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Local hour at which a new study day starts.
    pub rollover_hour: Setting<u32>,
    /// New cards introduced per study day, across sessions.
    pub new_per_day: Setting<u32>,
    /// Lapses that make a card a leech.
    pub leech_lapses: Setting<u32>,
    /// What happens to a leech: suspended, or only tagged.
    pub leech_action: Setting<LeechAction>,
    /// Percent of a prerequisite deck's cards seen before the decks that
    /// require it start.
    pub prerequisite_share: Setting<u32>,
    /// The scheduler that sets due days.
    pub scheduler: Setting<SchedulerChoice>,
    /// FSRS: the share of cards to have remembered when they come due.
    pub desired_retention: Setting<f32>,
    /// FSRS parameters written in the file (else the fitted ones saved by
    /// `mastery optimize --save`, else FSRS-6's defaults).
    pub fsrs_parameters: Setting<Option<Vec<f32>>>,
    /// The config file looked at, and whether it exists.
    pub file: Option<(PathBuf, bool)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rollover_hour: Setting::default(4),
            new_per_day: Setting::default(10),
            leech_lapses: Setting::default(8),
            leech_action: Setting::default(LeechAction::Suspend),
            prerequisite_share: Setting::default(90),
            scheduler: Setting::default(SchedulerChoice::Sm2),
            desired_retention: Setting::default(crate::fsrs::DEFAULT_RETENTION),
            fsrs_parameters: Setting::default(None),
            file: None,
        }
    }
}

/// `scheduler` in config.toml and `--scheduler`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchedulerChoice {
    // Plain comments, not doc comments: clap would print a long help
    // page for every command to list them.
    // SM-2, exact (the default).
    Sm2,
    // FSRS-6, replayed from the learner's log.
    Fsrs,
}

impl fmt::Display for SchedulerChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchedulerChoice::Sm2 => "sm2",
            SchedulerChoice::Fsrs => "fsrs",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeechAction {
    Suspend,
    Tag,
}

impl fmt::Display for LeechAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeechAction::Suspend => "suspend",
            LeechAction::Tag => "tag",
        })
    }
}

impl Settings {
    /// The leech rule these settings give.
    pub fn leech_rule(&self) -> crate::scheduler::LeechRule {
        crate::scheduler::LeechRule {
            lapses: self.leech_lapses.value,
            suspend: self.leech_action.value == LeechAction::Suspend,
        }
    }

    /// The scheduler these settings choose; `saved` are the parameters
    /// `mastery optimize --save` stored, used unless the file sets some.
    pub fn scheduler(&self, saved: Option<Vec<f32>>) -> Result<crate::fsrs::Scheduler> {
        use crate::fsrs::{DEFAULT_PARAMETERS, Model, Scheduler};
        if self.scheduler.value == SchedulerChoice::Sm2 {
            return Ok(Scheduler::Sm2);
        }
        let params = self
            .fsrs_parameters
            .value
            .clone()
            .or(saved)
            .unwrap_or_else(|| DEFAULT_PARAMETERS.to_vec());
        Model::new(&params, self.desired_retention.value)
            .map(Scheduler::Fsrs)
            .map_err(|why| {
                let place = match &self.fsrs_parameters.origin {
                    Origin::File(p) => p.clone(),
                    _ => "the saved FSRS parameters".to_string(),
                };
                Error::Usage(format!("{place}: {why}"))
            })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    rollover_hour: Option<i64>,
    new_per_day: Option<i64>,
    leech_lapses: Option<i64>,
    leech_action: Option<String>,
    prerequisite_share: Option<i64>,
    scheduler: Option<String>,
    desired_retention: Option<f64>,
    fsrs_parameters: Option<Vec<f64>>,
}

/// `MASTERY_CONFIG`, or `mastery/config.toml` in the XDG config dir.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_VAR) {
        return Some(PathBuf::from(p));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("mastery").join("config.toml"))
}

pub fn load(path: Option<&Path>) -> Result<Settings> {
    let mut settings = Settings::default();
    let Some(path) = path else {
        return Ok(settings);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            settings.file = Some((path.to_path_buf(), false));
            return Ok(settings);
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    settings.file = Some((path.to_path_buf(), true));
    let shown = path.display().to_string();
    let bad = |line: usize, message: String| Error::Invalid(Diag::new(&shown, line, message));
    let parsed: FileSettings = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            1 + text[..s.start.min(text.len())].matches('\n').count()
        });
        bad(line, e.message().trim().to_string())
    })?;
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(1, |i| i + 1)
    };
    if let Some(h) = parsed.rollover_hour {
        let hour = u32::try_from(h).ok().filter(|h| *h < 24).ok_or_else(|| {
            bad(
                line_of("rollover_hour"),
                format!("rollover_hour must be 0 to 23, not {h}"),
            )
        })?;
        settings.rollover_hour = Setting {
            value: hour,
            origin: Origin::File(shown.clone()),
        };
    }
    let from_file = |value| Setting {
        value,
        origin: Origin::File(shown.clone()),
    };
    let ranged = |key: &str, v: i64, range: std::ops::RangeInclusive<u32>| {
        u32::try_from(v)
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                bad(
                    line_of(key),
                    format!(
                        "{key} must be {} to {}, not {v}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    };
    if let Some(n) = parsed.new_per_day {
        settings.new_per_day = from_file(ranged("new_per_day", n, 0..=9999)?);
    }
    if let Some(n) = parsed.leech_lapses {
        settings.leech_lapses = from_file(ranged("leech_lapses", n, 1..=1000)?);
    }
    if let Some(n) = parsed.prerequisite_share {
        settings.prerequisite_share = from_file(ranged("prerequisite_share", n, 0..=100)?);
    }
    // A setting spelled as one of two words.
    let either = |key: &str, text: &str, options: [&str; 2]| -> Result<bool> {
        match options.iter().position(|o| *o == text) {
            Some(i) => Ok(i == 0),
            None => Err(bad(
                line_of(key),
                format!(
                    "{key} must be \"{}\" or \"{}\", not \"{}\"",
                    options[0],
                    options[1],
                    crate::render::sanitize(text)
                ),
            )),
        }
    };
    if let Some(a) = parsed.leech_action {
        let suspend = either("leech_action", &a, ["suspend", "tag"])?;
        settings.leech_action = Setting {
            value: if suspend {
                LeechAction::Suspend
            } else {
                LeechAction::Tag
            },
            origin: Origin::File(shown.clone()),
        };
    }
    if let Some(name) = parsed.scheduler {
        let sm2 = either("scheduler", &name, ["sm2", "fsrs"])?;
        settings.scheduler = Setting {
            value: if sm2 {
                SchedulerChoice::Sm2
            } else {
                SchedulerChoice::Fsrs
            },
            origin: Origin::File(shown.clone()),
        };
    }
    if let Some(r) = parsed.desired_retention {
        let range = crate::fsrs::model::RETENTION_RANGE;
        let value = r as f32;
        if !range.contains(&value) {
            return Err(bad(
                line_of("desired_retention"),
                format!(
                    "desired_retention must be from {} to {}, not {r}",
                    range.start(),
                    range.end()
                ),
            ));
        }
        settings.desired_retention = Setting {
            value,
            origin: Origin::File(shown.clone()),
        };
    }
    if let Some(w) = parsed.fsrs_parameters {
        let params: Vec<f32> = w.iter().map(|&v| v as f32).collect();
        if let Err(why) = crate::fsrs::Model::new(&params, crate::fsrs::DEFAULT_RETENTION) {
            return Err(bad(line_of("fsrs_parameters"), why));
        }
        settings.fsrs_parameters = Setting {
            value: Some(params),
            origin: Origin::File(shown.clone()),
        };
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn load_text(text: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        load(Some(&path)).map_err(|e| match e {
            Error::Invalid(d) => Error::Invalid(Diag::new("config.toml", d.line, d.message)),
            other => other,
        })
    }

    #[test]
    fn file_values_override_defaults() {
        let s = load_text("rollover_hour = 6\nnew_per_day = 25\n").unwrap();
        assert_eq!(s.rollover_hour.value, 6);
        assert_eq!(s.new_per_day.value, 25);
        assert!(matches!(s.new_per_day.origin, Origin::File(_)));
    }

    #[rstest]
    #[case(
        "rollover_hour = 24\n",
        "config.toml:1: rollover_hour must be 0 to 23, not 24"
    )]
    #[case(
        "\nnew_per_day = \"ten\"\n",
        "config.toml:2: invalid type: string \"ten\", expected i64"
    )]
    #[case(
        "roll = 1\n",
        "config.toml:1: unknown field `roll`, expected one of `rollover_hour`, `new_per_day`, `leech_lapses`, `leech_action`, `prerequisite_share`, `scheduler`, `desired_retention`, `fsrs_parameters`"
    )]
    #[case(
        "scheduler = \"anki\"\n",
        "config.toml:1: scheduler must be \"sm2\" or \"fsrs\", not \"anki\""
    )]
    #[case(
        "scheduler = \"fsrs\"\ndesired_retention = 1.5\n",
        "config.toml:2: desired_retention must be from 0.7 to 0.99, not 1.5"
    )]
    #[case(
        "fsrs_parameters = [1.0, 2.0]\n",
        "config.toml:1: FSRS parameters must be 21 finite numbers (or 17 or 19 from FSRS 4.5 and 5), not 2 values"
    )]
    #[case(
        "leech_lapses = 0\n",
        "config.toml:1: leech_lapses must be 1 to 1000, not 0"
    )]
    #[case(
        "prerequisite_share = 101\n",
        "config.toml:1: prerequisite_share must be 0 to 100, not 101"
    )]
    #[case(
        "leech_action = \"delete\"\n",
        "config.toml:1: leech_action must be \"suspend\" or \"tag\", not \"delete\""
    )]
    #[case("new_per_day = [\n", "config.toml:1: unclosed array, expected `]`")]
    fn malformed_files_name_the_line(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(load_text(text).unwrap_err().to_string(), expected);
    }

    #[test]
    fn leech_and_prerequisite_settings_are_read() {
        let s = load_text("leech_lapses = 5\nleech_action = \"tag\"\nprerequisite_share = 75\n")
            .unwrap();
        assert_eq!(
            s.leech_rule(),
            crate::scheduler::LeechRule {
                lapses: 5,
                suspend: false
            }
        );
        assert_eq!(s.prerequisite_share.value, 75);
    }

    #[test]
    fn fsrs_settings_choose_the_scheduler() {
        let s = load_text("scheduler = \"fsrs\"\ndesired_retention = 0.85\n").unwrap();
        match s.scheduler(None).unwrap() {
            crate::fsrs::Scheduler::Fsrs(m) => {
                assert_eq!(m.retention(), 0.85);
                assert_eq!(m.params(), crate::fsrs::DEFAULT_PARAMETERS);
            }
            other => panic!("{other:?}"),
        }
        // Saved (fitted) parameters are used unless the file sets some.
        let fitted = vec![0.5; 21];
        match s.scheduler(Some(fitted.clone())).unwrap() {
            crate::fsrs::Scheduler::Fsrs(m) => assert_eq!(m.params(), fitted),
            other => panic!("{other:?}"),
        }
        let sm2 = load_text("desired_retention = 0.85\n").unwrap();
        assert_eq!(sm2.scheduler(None).unwrap(), crate::fsrs::Scheduler::Sm2);
    }

    #[test]
    fn missing_file_is_defaults() {
        let s = load(Some(Path::new("/nonexistent/mastery/config.toml"))).unwrap();
        assert_eq!(s.rollover_hour.value, 4);
        assert_eq!(s.new_per_day.value, 10);
    }
}
