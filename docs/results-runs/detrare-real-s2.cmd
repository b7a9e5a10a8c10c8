clgan train-detector --data WORK/scenes-rare-s2 --model det64 --augment --steps 1860 --eval-every 10 --seed 2 --out WORK/detrare-real-s2 --json
