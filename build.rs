//! Rebuild when the embedded rubric bank or prompt templates change.
fn main() {
    println!("cargo:rerun-if-changed=rubrics");
    println!("cargo:rerun-if-changed=prompts");
    for dir in ["rubrics", "prompts"] {
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            if let Ok(rd) = std::fs::read_dir(&d) {
                for e in rd.flatten() {
                    let p = e.path();
                    println!("cargo:rerun-if-changed={}", p.display());
                    if p.is_dir() {
                        stack.push(p);
                    }
                }
            }
        }
    }
}
