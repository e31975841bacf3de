#!/usr/bin/env bash
# Builds and pushes the service images deploy/k3s runs, for linux-x64, linux-arm64 and linux-arm (64-bit servers,
# Raspberry Pi 4/5 and older 32-bit ARM boards), with the .NET SDK's container support: no Dockerfile and no Docker.
#
#   deploy/build-images.sh REGISTRY TAG        e.g. deploy/build-images.sh registry.lan:5000 0.1.0
#
# For each service project (Bootstrap, Peer, Visualization) it runs
#   dotnet publish PROJECT -c Release -t:PublishContainer
#     -p:RuntimeIdentifiers=linux-x64;linux-arm64;linux-arm -p:ContainerRuntimeIdentifiers=<same>
#     -p:ContainerRegistry=REGISTRY -p:ContainerImageTags=TAG
# which publishes the project once per runtime, layers each on the matching mcr.microsoft.com/dotnet/aspnet base
# image (pulled from that registry), pushes the three images to REGISTRY/mlaspire/NAME (ContainerRepository, set
# for every project in Directory.Build.props) and an image index tagged TAG that points at them, so each K3s node
# pulls its own architecture. Log in to REGISTRY first if it needs credentials (`docker login`, or the
# DOTNET_CONTAINER_REGISTRY_UNAME / DOTNET_CONTAINER_REGISTRY_PWORD variables the SDK reads).
# Then publish manifests naming those images:
#   dotnet run --project AppHost -- --operation publish --step publish-k3s --K3s:Registry REGISTRY --K3s:Tag TAG
# It needs network access to mcr.microsoft.com and REGISTRY (so it cannot run on the development machines).
set -euo pipefail

if [ "$#" -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
  echo "usage: $0 REGISTRY TAG   (e.g. $0 registry.lan:5000 0.1.0)" >&2
  exit 2
fi
registry=${1%/}
tag=$2
if [ "$tag" = latest ]; then
  echo "$0: give an explicit TAG, not 'latest': a deployment must name exactly what it runs" >&2
  exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# %3B is MSBuild's escaped ';': a bare ';' on the command line would end the -p switch.
runtimes="linux-x64%3Blinux-arm64%3Blinux-arm"
for project in Bootstrap Peer Visualization; do
  echo "== $project -> $registry/mlaspire/${project,,}:$tag (linux-x64, linux-arm64, linux-arm)"
  dotnet publish "$project/$project.csproj" -c Release -t:PublishContainer \
    -p:RuntimeIdentifiers="$runtimes" \
    -p:ContainerRuntimeIdentifiers="$runtimes" \
    -p:ContainerRegistry="$registry" \
    -p:ContainerImageTags="$tag"
done
