# Connections per second through the last of N forwards, one line per backend; the baselines
# (no forwards installed) are measured in the same rounds at each N, so they are flat up to noise.
# Called by run.sh: gnuplot -e "csv='results.csv'; out='connections.png'" plot.gp
set datafile separator ','
set terminal pngcairo size 900,560 font ',11'
set output out
set title 'New TCP connections/s through the last of N forwards'
set xlabel 'forwards installed (N)'
set ylabel 'connections per second'
set logscale x
set xrange [0.7:15000]
set yrange [0:*]
set key bottom left box opaque
set grid
plot \
  '< awk -F, ''$2=="nftables"'' '.csv using 3:4 with linespoints lw 2 pt 7 title 'nftables (portfwd)', \
  '< awk -F, ''$2=="iptables-nft"'' '.csv using 3:4 with linespoints lw 2 pt 5 title 'iptables-nft (portfwd)', \
  '< awk -F, ''$2=="iptables-legacy"'' '.csv using 3:4 with linespoints lw 2 pt 9 title 'iptables-legacy (portfwd)', \
  '< awk -F, ''$2=="direct"'' '.csv using 3:4 with lines dt 2 lw 2 lc rgb 'gray30' title 'baseline: direct link (no forwards)', \
  '< awk -F, ''$2=="routing"'' '.csv using 3:4 with lines dt 3 lw 2 lc rgb 'gray50' title 'baseline: routing, no NAT (no forwards)'
