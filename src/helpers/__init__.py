"""jixiao (绩效): budget performance self-evaluation reports from yearly project data."""
