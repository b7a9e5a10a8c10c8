clgan train-detector --data WORK/scenes200-s3 --model det64 --augment --steps 600 --eval-every 25 --seed 3 --out WORK/det200-real-s3 --json
