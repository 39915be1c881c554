//! The JSON reader and writer on configs' values and on what is not JSON.

use super::*;

#[test]
fn reads_and_writes_what_configs_hold() {
    let text = r#" {"b": [1, -2, 3.5, 1e-05, 1E+3, true, false, null], "a": "x\"\\\n\u00e9\ud83d\ude00", "c": {}} "#;
    let v = parse(text).unwrap();
    assert_eq!(
        v.to_string(),
        "{\"a\":\"x\\\"\\\\\\né😀\",\"b\":[1,-2,3.5,1e-05,1E+3,true,false,null],\"c\":{}}"
    );
    let b = v.get("b").unwrap().as_array().unwrap();
    assert_eq!(b[0].as_u64(), Some(1));
    assert_eq!((b[1].as_u64(), b[1].as_i64()), (None, Some(-2)));
    assert_eq!((b[2].as_u64(), b[2].as_f64()), (None, Some(3.5)));
    assert_eq!(b[3].as_f64(), Some(1e-5));
    assert_eq!(b[4].as_f64(), Some(1000.0));
    assert_eq!(parse(&v.to_string()).unwrap(), v);
    // Integers past u64 are numbers still, as floats.
    let big = parse("18446744073709551616").unwrap();
    assert_eq!(
        (big.as_u64(), big.as_f64()),
        (None, Some(18446744073709551616.0))
    );
    // Values configs use, to the bit.
    for (t, f) in [
        ("0.02", 0.02),
        ("1e-6", 1e-6),
        ("500000.0", 500000.0),
        ("10000.0", 10000.0),
        ("0.6", 0.6),
        ("-0.5", -0.5),
        ("2.49", 2.49),
        ("1000000.0", 1e6),
        ("0.0", 0.0),
    ] {
        assert_eq!(parse(t).unwrap().as_f64(), Some(f), "{t}");
    }
    // A repeated key keeps its last value.
    assert_eq!(
        parse(r#"{"a":1,"a":2}"#)
            .unwrap()
            .get("a")
            .unwrap()
            .as_u64(),
        Some(2)
    );
}

#[test]
fn refuses_what_is_not_json_and_says_where() {
    for (bad, problem) in [
        ("", "unexpected end of input"),
        ("{", "expected a key"),
        ("[1,]", "expected a value"),
        ("[1 2]", "expected `,` or the end of the list"),
        (r#"{"a" 1}"#, "expected `:`"),
        ("01", "invalid number"),
        ("1.", "invalid number"),
        ("-", "invalid number"),
        ("1e400", "number out of range"),
        ("nul", "expected a value"),
        (r#""a"#, "unterminated string"),
        ("\"a\u{1}\"", "control character in a string"),
        (r#""\x""#, "invalid escape"),
        (r#""\u12G4""#, "invalid \\u escape"),
        ("{} x", "trailing characters"),
        ("NaN", "expected a value"),
    ] {
        assert_eq!(parse(bad).map_err(|e| e.problem), Err(problem), "{bad:?}");
    }
    let e = parse("{\n  \"a\": tru\n}").unwrap_err();
    assert_eq!((e.line, e.column), (2, 8));
    assert_eq!(e.to_string(), "expected a value at line 2 column 8");
    // Deep nesting is refused, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert_eq!(parse(&deep).unwrap_err().problem, "nested too deeply");
    assert!(parse(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_ok());
}
