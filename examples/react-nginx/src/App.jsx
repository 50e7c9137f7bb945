import { useState } from 'react'
import './App.css'

export default function App() {
  const [count, setCount] = useState(0)

  return (
    <main className="card">
      <h1>Hello from Docker!</h1>
      <p>Built with Vite in a node:18 stage, served by nginx:alpine.</p>
      <button onClick={() => setCount((c) => c + 1)}>clicked {count} times</button>
    </main>
  )
}
