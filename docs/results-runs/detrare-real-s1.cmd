clgan train-detector --data WORK/scenes-rare-s1 --model det64 --augment --steps 1860 --eval-every 10 --seed 1 --out WORK/detrare-real-s1 --json
