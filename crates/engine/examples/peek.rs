fn main() {
    let s = protoviz_engine::Scenario::preset(protoviz_engine::PresetId::Blog);
    let t = protoviz_engine::simulate(&s).unwrap();
    for l in &t.lanes {
        println!("{} {:?}", l.protocol, l.metrics);
        for a in &l.assets {
            println!(
                "  {:28} c{} disc {} req {} fb {} lb {}",
                a.path, a.connection.0, a.discovered, a.request_sent, a.first_byte, a.last_byte
            );
        }
    }
}
