//! One handler's case of vy_dispatch. Placeholders: OPCODE, NAME (the
//! handler's name, comment-safe), FUNCTION (its op_ function), ARGS (its
//! arguments decoded from the slot words), INDEX (its program index).
case {{OPCODE}}u: { // {{NAME}}
    {{FUNCTION}}({{ARGS}});
    handler = {{INDEX}}u;
}
