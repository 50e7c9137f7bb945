// Command hello-server is a tiny HTTP service: GET / greets, GET /healthz answers "ok".
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"
)

type greeting struct {
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "Docker"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(greeting{Message: "Hello, " + name + "!", Time: time.Now()})
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok\n"))
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", hello)
	mux.HandleFunc("/healthz", healthz)
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
