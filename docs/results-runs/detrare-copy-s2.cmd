clgan train-detector --data WORK/scenes-rare-s2 --model det64 --augment --steps 1860 --eval-every 10 --copy-paste --paste-mode balance --paste-classes 3 --seed 2 --out WORK/detrare-copy-s2 --json
