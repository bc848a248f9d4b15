"""Quantiles of a Prometheus latency histogram between two scrapes of /metrics.

    histogram-delta.py BEFORE AFTER LABEL...   e.g. 'route="/v1/authorize"' 'status="200"'

Sums tally_http_request_duration_seconds buckets whose labels contain every LABEL, takes AFTER
minus BEFORE, and prints the count and the p50/p99/p99.9 upper bucket bounds."""
import re
import sys

LINE = re.compile(r'^tally_http_request_duration_seconds_bucket\{(.*),le="([^"]+)"\} (\d+)$')


def buckets(path, labels):
    totals = {}
    for line in open(path, encoding="utf-8"):
        match = LINE.match(line.strip())
        if match and all(label in match.group(1) for label in labels):
            bound = float("inf") if match.group(2) == "+Inf" else float(match.group(2))
            totals[bound] = totals.get(bound, 0) + int(match.group(3))
    return totals


def main():
    before, after, labels = sys.argv[1], sys.argv[2], sys.argv[3:]
    start, end = buckets(before, labels), buckets(after, labels)
    cumulative = sorted((bound, end[bound] - start.get(bound, 0)) for bound in end)
    count = cumulative[-1][1] if cumulative else 0
    if count == 0:
        print("Server-side: no requests matched " + " ".join(labels))
        return
    def quantile(q):
        return next(bound for bound, seen in cumulative if seen >= q * count)
    def ms(bound):
        return "over the last bucket" if bound == float("inf") else f"≤ {bound * 1000:g} ms"
    print(f"Server-side, approved authorizations during the overload ({count}): "
          f"p50 {ms(quantile(0.5))}, p99 {ms(quantile(0.99))}, p99.9 {ms(quantile(0.999))} (parse to answer).")


main()
