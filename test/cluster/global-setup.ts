// Placeholder: replaced by the real control-plane global setup.
export default function setup(): void {}
