#!/usr/bin/env bash
# The certificates gRPC runs on in the cluster (docs/k3s.md, "TLS"): one CA, and per workload a Secret with tls.crt,
# tls.key and ca.crt, named and addressed as deploy/k3s/tls/cert-manager.yaml (generated from the AppHost) says.
#
#   grpc-certs.sh cluster [MANIFESTS]   where cert-manager runs: apply its Issuers and Certificates and wait for them;
#                                       otherwise: make the CA (kept in $MLASPIRE_TLS_DIR, default ~/.mlaspire/tls/NAMESPACE),
#                                       issue every workload's certificate and create or replace its Secret
#   grpc-certs.sh ca DIR                make DIR/ca.crt and DIR/ca.key (an existing CA is kept)
#   grpc-certs.sh issue DIR NAME HOST…  issue DIR/NAME/{tls.crt,tls.key,ca.crt} for the DNS names or IP addresses HOST…,
#                                       signed by DIR's CA: e.g. for a peer outside the cluster
#   grpc-certs.sh names [MANIFESTS]     print "SECRET DNSNAME…" per workload, as the cluster command issues them
set -euo pipefail
umask 077

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
default_manifests="$here/../k3s"

die() { echo "grpc-certs.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"; }

make_ca() {
  local dir="$1"
  mkdir -p "$dir"
  need openssl "apt-get install openssl"
  if [ -s "$dir/ca.crt" ] && [ -s "$dir/ca.key" ]; then
    check_ca "$dir"
    return
  fi
  # Half a CA (the key moved offline, a file lost) is never replaced silently: a new CA breaks every running service.
  if [ -e "$dir/ca.crt" ] || [ -e "$dir/ca.key" ]; then
    die "$dir holds only one of ca.crt and ca.key: put the other back, or remove both to make a new CA (every service and outside peer must then get the new ca.crt)"
  fi
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
    -subj "/CN=mlaspire gRPC CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 644 "$dir/ca.crt"
  echo "made the CA $dir/ca.crt (its key, $dir/ca.key, signs every certificate: keep it safe)" >&2
}

check_ca() {
  local dir="$1"
  [ "$(openssl x509 -in "$dir/ca.crt" -noout -pubkey)" = "$(openssl pkey -in "$dir/ca.key" -pubout)" ] \
    || die "$dir/ca.key is not the key of $dir/ca.crt"
}

issue() {
  local dir="$1" name="$2"; shift 2
  [ "$#" -gt 0 ] || die "issue: give at least one DNS name or IP address for $name"
  [[ "$name" =~ ^[a-z0-9][a-z0-9.-]*$ ]] || die "issue: '$name' is not a plain name (lowercase letters, digits, '.', '-')"
  [ -s "$dir/ca.crt" ] && [ -s "$dir/ca.key" ] || die "issue: no CA in $dir (run: grpc-certs.sh ca $dir)"
  need openssl "apt-get install openssl"
  check_ca "$dir"
  local sans="" host
  for host in "$@"; do
    if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then sans+="${sans:+,}IP:$host"; else sans+="${sans:+,}DNS:$host"; fi
  done
  local out="$dir/$name"
  mkdir -p "$out"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$out/tls.key" -out "$out/tls.csr" 2>/dev/null
  # 397 days, the longest a public CA may issue: renew by issuing again (docs/k3s.md, "Rotation").
  openssl x509 -req -in "$out/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 397 -sha256 -out "$out/tls.crt" -extfile <(printf '%s\n' \
      "subjectAltName=$sans" "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth") 2>/dev/null
  rm -f "$out/tls.csr"
  cp "$dir/ca.crt" "$out/ca.crt"
  chmod 644 "$out/tls.crt" "$out/ca.crt"
  echo "issued $out/tls.crt for $*" >&2
}

# "SECRET NAME…" for each workload Certificate in cert-manager.yaml (the CA's, isCA, is not one).
names() {
  local file="$1/tls/cert-manager.yaml"
  [ -s "$file" ] || die "$file is missing (publish the manifests: see docs/k3s.md)"
  awk '
    function flush() { if (kind == "Certificate" && !ca && secret != "") print secret dns; kind = ""; ca = 0; secret = ""; dns = ""; inlist = 0 }
    /^---/ { flush(); next }
    /^kind: / { kind = $2 }
    /^  isCA: true/ { ca = 1 }
    /^  secretName: / { secret = $2 }
    /^  dnsNames:/ { inlist = 1; next }
    inlist && /^  - / { gsub(/\047/, "", $2); dns = dns " " $2; next }
    { inlist = 0 }
    END { flush() }
  ' "$file"
}

namespace_of() { awk '/^  namespace: / { print $2; exit }' "$1/tls/cert-manager.yaml"; }

cluster() {
  local manifests="$1"
  need kubectl "docs/k3s.md, step 1"
  local ns; ns="$(namespace_of "$manifests")"
  [ -n "$ns" ] || die "no namespace in $manifests/tls/cert-manager.yaml"
  kubectl apply -f "$manifests/namespace.yaml" >/dev/null
  if kubectl get crd certificates.cert-manager.io >/dev/null 2>&1; then
    echo "cert-manager is installed: it issues and renews the certificates" >&2
    kubectl apply -f "$manifests/tls/cert-manager.yaml"
    kubectl -n "$ns" wait --for=condition=Ready certificate --all --timeout=180s
    return
  fi
  local dir="${MLASPIRE_TLS_DIR:-$HOME/.mlaspire/tls/$ns}"
  echo "cert-manager is not installed: making the certificates in $dir" >&2
  make_ca "$dir"
  local secret dns hosts listed
  listed="$(names "$manifests")"
  [ -n "$listed" ] || die "no workload Certificate found in $manifests/tls/cert-manager.yaml"
  while read -r secret dns; do
    read -ra hosts <<< "$dns" # split into words, never glob-expanded ("*.peer" is a name, not a pattern)
    issue "$dir" "$secret" "${hosts[@]}"
    kubectl -n "$ns" create secret generic "$secret" --from-file="$dir/$secret/tls.crt" --from-file="$dir/$secret/tls.key" \
      --from-file="$dir/$secret/ca.crt" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    echo "secret $ns/$secret created or replaced" >&2
  done <<< "$listed"
}

case "${1:-}" in
  cluster) cluster "${2:-$default_manifests}" ;;
  ca) [ "$#" -eq 2 ] || die "usage: grpc-certs.sh ca DIR"; make_ca "$2" ;;
  issue) [ "$#" -ge 4 ] || die "usage: grpc-certs.sh issue DIR NAME HOST…"; dir="$2"; name="$3"; shift 3; issue "$dir" "$name" "$@" ;;
  names) names "${2:-$default_manifests}" ;;
  *) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
