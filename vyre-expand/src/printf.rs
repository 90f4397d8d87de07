//! `printf!`: the format string rules shared by the host macro and the
//! translator, and the host expansion.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::Token;
use vyre_lang::limits::PRINTF_MAX_ARGS;

/// `"format", args…`
pub(crate) struct PrintfArgs {
    pub(crate) format: syn::LitStr,
    pub(crate) args: Vec<syn::Expr>,
}

impl Parse for PrintfArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(
                input.error("printf! needs a format string: `vyre::printf!(\"x = {}\", x)`")
            );
        }
        let format: syn::LitStr = match input.parse() {
            Ok(f) => f,
            Err(e) => {
                return Err(syn::Error::new(
                    e.span(),
                    "the first argument of printf! is a string literal: `vyre::printf!(\"x = {}\", x)` (the GPU records the format's id, so it must be known at compile time)",
                ))
            }
        };
        let mut args = Vec::new();
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
            let rest = Punctuated::<syn::Expr, Token![,]>::parse_terminated(input)?;
            args.extend(rest);
        }
        Ok(PrintfArgs { format, args })
    }
}

pub(crate) fn parse_args(tokens: TokenStream) -> syn::Result<PrintfArgs> {
    syn::parse2(tokens)
}

/// Counts `{}` placeholders; anything else in braces is an error.
fn placeholders(format: &str) -> Result<usize, String> {
    let mut n = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => match chars.peek() {
                Some('{') => {
                    chars.next();
                }
                Some('}') => {
                    chars.next();
                    n += 1;
                }
                _ => {
                    let spec: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    return Err(format!(
                        "printf! supports only `{{}}` placeholders, not `{{{spec}}}`: the GPU records raw argument words, which the host formats with `{{}}` (escape braces as `{{{{` and `}}}}`)"
                    ));
                }
            },
            '}' => {
                if chars.peek() == Some(&'}') {
                    chars.next();
                } else {
                    return Err(
                        "unmatched `}` in the printf! format string; escape it as `}}`".into(),
                    );
                }
            }
            _ => {}
        }
    }
    Ok(n)
}

/// Checks the format string against the arguments.
pub(crate) fn check_format(p: &PrintfArgs) -> syn::Result<()> {
    let count = placeholders(&p.format.value()).map_err(|m| syn::Error::new(p.format.span(), m))?;
    if p.args.len() > PRINTF_MAX_ARGS {
        let extra = p
            .args
            .get(PRINTF_MAX_ARGS)
            .map(|a| a as &dyn quote::ToTokens);
        let msg = format!(
            "printf! takes at most {PRINTF_MAX_ARGS} arguments (a printf record has {PRINTF_MAX_ARGS} argument words); split the line into several printf! calls"
        );
        return Err(match extra {
            Some(a) => syn::Error::new_spanned(a, msg),
            None => syn::Error::new(p.format.span(), msg),
        });
    }
    if count != p.args.len() {
        let msg = format!(
            "the format string has {count} `{{}}` placeholder(s) but {} argument(s) follow",
            p.args.len()
        );
        return Err(match p.args.get(count) {
            Some(extra) => {
                syn::Error::new_spanned(extra, format!("{msg}: this argument has no placeholder"))
            }
            None => syn::Error::new(p.format.span(), msg),
        });
    }
    Ok(())
}

/// The host expansion: `::vyre::host::printf(format, &[args…])`.
pub(crate) fn expand(tokens: TokenStream) -> TokenStream {
    let parsed = match parse_args(tokens) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    let format = &parsed.format;
    let args = &parsed.args;
    let call = quote! {
        ::vyre::host::printf(#format, &[#(::vyre::host::__private::printf_arg(#args)),*])
    };
    match check_format(&parsed) {
        Ok(()) => call,
        Err(e) => {
            // Keep the arguments type-checked (and used) after the error.
            let e = e.to_compile_error();
            quote!({ #e; #call })
        }
    }
}
