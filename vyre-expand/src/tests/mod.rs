//! Unit tests of the expansion functions, called directly on tokens.

mod expansion;
mod robustness;
mod snapshots;

use proc_macro2::TokenStream;

pub(crate) fn tokens(src: &str) -> TokenStream {
    match src.parse() {
        Ok(t) => t,
        Err(e) => panic!("test input does not lex: {e}\n{src}"),
    }
}

pub(crate) fn opcode(attr: &str, item: &str) -> String {
    crate::expand::expand_opcode(tokens(attr), tokens(item)).to_string()
}

pub(crate) fn device(item: &str) -> String {
    crate::expand::expand_device(TokenStream::new(), tokens(item)).to_string()
}

/// The messages of the `compile_error!`s in an expansion.
pub(crate) fn errors(expanded: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expanded;
    while let Some(i) = rest.find("compile_error !") {
        rest = &rest[i..];
        let Some(start) = rest.find('"') else { break };
        let tail = &rest[start + 1..];
        let mut end = 0;
        let mut escaped = false;
        for (j, c) in tail.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = j;
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}
