# Sourced by the side-by-side benchmark scripts: Debian's python3-torch for the official code, and Debian's OpenBLAS
# unpacked for it alone (its torch links the netlib reference BLAS by default, 5-10x slower). Sets OB to the folder
# to prepend to the official side's LD_LIBRARY_PATH.
command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c "import torch" 2>/dev/null \
  || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch; }
OB=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp
if [ ! -e "$OB/libblas.so.3" ]; then
  mkdir -p /tmp/openblas-deb
  (cd /tmp/openblas-deb && apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb /tmp/openblas)
fi
