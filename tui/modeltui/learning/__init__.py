"""Learning from the log: decayed statistics, rankings, Bradley-Terry, Thompson sampling,
use-case discovery, savings. Core code: no Textual, no litellm."""
